/** What the domain reports as it works; infra/metrics keeps it for Prometheus. */
export interface RunMetrics {
  /** A worker took a run, after it waited this long in the queue. */
  runClaimed(action: string, waitedSeconds: number): void;
  runFinished(action: string, status: string, product: string, seconds: number): void;
  /** A sync check ended with what it found (DRIFTED: drift found; UNKNOWN: it could not tell). */
  syncChecked(product: string, found: string): void;
  /** One transaction wrote this many events of a run. */
  eventsCommitted(count: number, seconds: number): void;
  /** An event was published this long after Ansible's callback emitted it. */
  eventPublished(lagSeconds: number): void;
}

export const NO_METRICS: RunMetrics = {
  runClaimed: () => {},
  runFinished: () => {},
  syncChecked: () => {},
  eventsCommitted: () => {},
  eventPublished: () => {},
};

/** What the webhook sender reports. */
export interface WebhookMetrics {
  /** One attempt at a delivery ended: delivered, to be retried, or failed for good; `seconds`: the receiver's time. */
  attempted(event: string, outcome: 'delivered' | 'retrying' | 'failed', seconds: number): void;
}

export const NO_WEBHOOK_METRICS: WebhookMetrics = { attempted: () => {} };

/** Counts read from the database when metrics are scraped. */
export interface StateCounts {
  runs: Array<{ status: string; product: string; count: number }>;
  inventory: Array<{ kind: string; status: string; count: number }>;
  /** Runs QUEUED now, and how long the oldest has waited. */
  queued: { count: number; oldestSeconds: number };
  /** Webhook deliveries by status. */
  webhookDeliveries: Array<{ status: string; count: number }>;
  /** ACTIVE services by their last sync check's verdict and product. */
  servicesBySyncState: Array<{ syncState: string; product: string; count: number }>;
}
