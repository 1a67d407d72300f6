/** What the domain reports as it works; infra/metrics keeps it for Prometheus. */
export interface RunMetrics {
  /** A worker took a run, after it waited this long in the queue. */
  runClaimed(action: string, waitedSeconds: number): void;
  runFinished(action: string, status: string, product: string, seconds: number): void;
  /** One transaction wrote this many events of a run. */
  eventsCommitted(count: number, seconds: number): void;
  /** An event was published this long after Ansible's callback emitted it. */
  eventPublished(lagSeconds: number): void;
}

export const NO_METRICS: RunMetrics = {
  runClaimed: () => {},
  runFinished: () => {},
  eventsCommitted: () => {},
  eventPublished: () => {},
};

/** Counts read from the database when metrics are scraped. */
export interface StateCounts {
  runs: Array<{ status: string; product: string; count: number }>;
  inventory: Array<{ kind: string; status: string; count: number }>;
  /** Runs QUEUED now, and how long the oldest has waited. */
  queued: { count: number; oldestSeconds: number };
}
