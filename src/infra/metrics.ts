import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunMetrics, StateCounts, WebhookMetrics } from '../domain/ports/metrics.ts';

export type Transport = 'ws' | 'sse';

export interface Metrics {
  registry: Registry;
  runs: RunMetrics;
  webhooks: WebhookMetrics;
  /** A live subscription opened; call the result when it ends. */
  subscriptionOpened(transport: Transport): () => void;
}

/** Prometheus metrics of this process (prom-client), with database counts read at each scrape. */
export function createMetrics(readCounts: () => Promise<StateCounts>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'provisio_' });
  const registers = [registry];
  const runsFinished = new Counter({ name: 'provisio_runs_finished_total', help: 'Runs finished by this process, by action, status and product.', labelNames: ['action', 'status', 'product'], registers });
  const syncChecks = new Counter({ name: 'provisio_sync_checks_total', help: 'Sync checks finished by this process, by product and what they found (IN_SYNC, DRIFTED: drift found, UNKNOWN).', labelNames: ['product', 'found'], registers });
  const runDuration = new Histogram({
    name: 'provisio_run_duration_seconds',
    help: 'Wall time of runs from claim to finish, by action and status.',
    labelNames: ['action', 'status'],
    buckets: [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers,
  });
  const queueWait = new Histogram({ name: 'provisio_run_queue_wait_seconds', help: 'Time runs waited QUEUED before a worker took them.', labelNames: ['action'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300], registers });
  const eventsIngested = new Counter({ name: 'provisio_events_ingested_total', help: 'Run events written to the database.', registers });
  const batchSize = new Histogram({ name: 'provisio_event_commit_batch_size', help: 'Events per commit.', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500], registers });
  const commitSeconds = new Histogram({ name: 'provisio_event_commit_seconds', help: 'Time of one event commit (transaction).', buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1], registers });
  const deliveryLag = new Histogram({
    name: 'provisio_event_delivery_lag_seconds',
    help: "From Ansible's callback emitting an event to its publication to subscribers (after commit).",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const subscriptions = new Gauge({ name: 'provisio_subscriptions', help: 'Live GraphQL subscriptions on this instance, by transport.', labelNames: ['transport'], registers });
  for (const transport of ['ws', 'sse']) subscriptions.set({ transport }, 0);

  // Database counts: one read per scrape, shared by the gauges below, each set from its rows.
  let counts: Promise<StateCounts> | undefined;
  const current = () => (counts ??= readCounts().finally(() => setTimeout(() => (counts = undefined), 1000).unref()));
  const countGauge = (name: string, help: string, labelNames: string[], rows: (counts: StateCounts) => Array<{ labels: Record<string, string>; value: number }>) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        for (const row of rows(await current())) this.set(row.labels, row.value);
      },
    });
  countGauge('provisio_runs', 'Runs in the database, by status and product.', ['status', 'product'], ({ runs }) =>
    runs.map(({ status, product, count }) => ({ labels: { status, product }, value: count })),
  );
  countGauge('provisio_run_queue_depth', 'Runs QUEUED now.', [], ({ queued }) => [{ labels: {}, value: queued.count }]);
  countGauge('provisio_run_queue_oldest_seconds', 'How long the oldest QUEUED run has waited.', [], ({ queued }) => [{ labels: {}, value: queued.oldestSeconds }]);
  countGauge('provisio_webhook_deliveries', 'Webhook deliveries in the log, by status (PENDING: not delivered yet).', ['status'], ({ webhookDeliveries }) =>
    webhookDeliveries.map(({ status, count }) => ({ labels: { status }, value: count })),
  );
  const webhookAttempts = new Counter({ name: 'provisio_webhook_attempts_total', help: 'Webhook delivery attempts by this process, by event and outcome (delivered, retrying, failed).', labelNames: ['event', 'outcome'], registers });
  const webhookSeconds = new Histogram({ name: 'provisio_webhook_attempt_seconds', help: 'Time of one webhook attempt, until the receiver answered or it failed.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers });
  countGauge('provisio_services_by_sync_state', 'ACTIVE services by the verdict of their last sync check (UNKNOWN: never checked, or it could not tell), by product.', ['sync_state', 'product'], ({ servicesBySyncState }) =>
    servicesBySyncState.map(({ syncState, product, count }) => ({ labels: { sync_state: syncState, product }, value: count })),
  );
  countGauge('provisio_inventory_items', 'Inventory items by kind and status.', ['kind', 'status'], ({ inventory }) =>
    inventory.map(({ kind, status, count }) => ({ labels: { kind, status }, value: count })),
  );

  return {
    registry,
    runs: {
      runClaimed: (action, waitedSeconds) => queueWait.observe({ action }, waitedSeconds),
      runFinished: (action, status, product, seconds) => {
        runsFinished.inc({ action, status, product });
        runDuration.observe({ action, status }, seconds);
      },
      syncChecked: (product, found) => syncChecks.inc({ product, found }),
      eventsCommitted: (count, seconds) => {
        eventsIngested.inc(count);
        batchSize.observe(count);
        commitSeconds.observe(seconds);
      },
      eventPublished: (lagSeconds) => deliveryLag.observe(Math.max(0, lagSeconds)),
    },
    webhooks: {
      attempted: (event, outcome, seconds) => {
        webhookAttempts.inc({ event, outcome });
        webhookSeconds.observe(seconds);
      },
    },
    subscriptionOpened(transport) {
      subscriptions.inc({ transport });
      let ended = false;
      return () => {
        if (!ended) subscriptions.dec({ transport });
        ended = true;
      };
    },
  };
}
