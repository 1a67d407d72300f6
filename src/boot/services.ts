import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../config.ts';
import { ADMIN_KEY_FILE, ensureAdminAccess } from '../domain/access/bootstrap.ts';
import { TrustedDocumentStore } from '../domain/access/trusted-documents.ts';
import { cachedSyntaxCheck } from '../domain/catalog/index.ts';
import type { EventBus } from '../domain/ports/event-bus.ts';
import type { RunQueue } from '../domain/ports/run-queue.ts';
import type { DeliveryQueue } from '../domain/ports/webhooks.ts';
import { WebhookDispatcher, WebhookOutbox } from '../domain/webhooks/index.ts';
import { EventWriter, interruptOrphanedRuns, interruptRunsOfEndedLocalWorkers, liveWorkerIds, newWorkerId, pruneRunHistory, recordProcessIdentity, requeueWaitingRuns, RunExecutor, WorkerLiveness } from '../domain/runs/index.ts';
import { compactSecretTables, resealStoredSecrets } from '../domain/secrets/index.ts';
import { seedDemoData } from '../demo/seed.ts';
import { stateCounts } from '../domain/state-counts.ts';
import { openDatabase, type Database } from '../infra/db/database.ts';
import { createMetrics, type Metrics } from '../infra/metrics.ts';
import { createMemoryEventBus } from '../infra/pubsub/pubsub.ts';
import { createMemoryDeliveryQueue } from '../infra/queue/delivery-queue.ts';
import { createMemoryRunQueue } from '../infra/queue/queue.ts';
import { createHttpWebhookSender } from '../infra/webhooks/http-sender.ts';
import type { Logger } from '../logger.ts';
import { playbookCpuGroup, sweepOrphanedRunDirs, syntaxCheck } from '../runner/index.ts';
import type { AppContext } from '../schema/context.ts';
import { openSecretBox } from './secret-keys.ts';

/** Webhooks a process sends at once. */
const WEBHOOK_SENDS = 8;
/** How often a sender looks for deliveries its queue lost (a crash between a commit and the queue). */
const WEBHOOK_SWEEP_MS = 60_000;

/** Heartbeats after which a run still QUEUED is queued again (at most one waiting job per run): a minute by default. */
const REQUEUE_AFTER_BEATS = 12;

/** An API instance serves GraphQL; a worker executes runs. On one process (embedded, or PostgreSQL without Redis) the API does both. */
export type ProcessRole = 'api' | 'worker';

/** PostgreSQL and Redis: API instances only queue runs (pg-boss), workers execute them. */
export const isCluster = (config: Config): boolean => Boolean(config.databaseUrl && config.redisUrl);

export interface Services {
  database: Database;
  events: EventBus;
  context: AppContext;
  /** Present where this process executes runs. */
  executor: RunExecutor | undefined;
  /** This process's Prometheus metrics. */
  metrics: Metrics;
  /**
   * Stops taking runs, lets the running ones finish for up to `runGraceMs`, then interrupts the
   * rest (INTERRUPTED, compensated) and closes the queue, the event bus and the database.
   */
  close(runGraceMs: number): Promise<void>;
}

/** The CPU group this process's playbooks join (see src/runner/cpu-group.ts), with a line saying which scheme is in effect. */
async function playbookCpuGroupOf(config: Config, logger: Logger): Promise<string | undefined> {
  if (config.ansibleCpuGroup === 'off') {
    logger.info({ nice: config.ansibleNice }, 'playbooks share the server autogroup at a lower nice (PROVISIO_ANSIBLE_CPU_GROUP=off)');
    return undefined;
  }
  const outcome = await playbookCpuGroup();
  if (outcome.group) {
    const { dir, weight, serverDir, serverWeight } = outcome.group;
    logger.info({ playbooks: `${dir} (${weight})`, server: `${serverDir} (${serverWeight})`, nice: config.ansibleNice }, 'the server and its playbooks run in CPU groups of their own');
  }
  else logger.warn({ reason: outcome.reason, nice: config.ansibleNice }, 'no CPU group for playbooks: they share the server autogroup at a lower nice, and a busy host slows them more');
  return outcome.group?.procsFile;
}

/** The services both entries share, for one process in its role. */
export async function openServices(config: Config, logger: Logger, role: ProcessRole): Promise<Services> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  // What is open so far, closed in reverse when a later step fails (a wrong secret key, Redis
  // away): a failed start must not keep the data directory locked or connections open.
  const opened: Array<() => Promise<unknown>> = [() => database.close()];
  try {
    return await assemble(config, logger, role, database, opened);
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => {});
    throw error;
  }
}

async function assemble(config: Config, logger: Logger, role: ProcessRole, database: Database, opened: Array<() => Promise<unknown>>): Promise<Services> {
  const { prisma } = database;
  const embedded = database.profile === 'embedded';
  const secrets = await openSecretBox(config, prisma, logger);
  const { sealed } = await resealStoredSecrets(prisma, secrets, { rewrap: false });
  if (sealed) {
    logger.warn({ sealed }, 'secrets stored in clear by an earlier version were encrypted');
    if (embedded) await compactSecretTables(prisma);
  }
  // Redis and pg-boss are loaded only on the profiles that use them: start-up time and memory.
  const events = config.redisUrl ? (await import('../infra/pubsub/redis.ts')).createRedisEventBus(config.redisUrl, logger) : createMemoryEventBus();
  opened.push(() => events.close());
  const cluster = isCluster(config);
  const executes = role === 'worker' || !cluster;
  const onError = (runId: string, error: unknown) => logger.error({ err: error, runId }, 'run handler crashed');
  const { queue, deliveryQueue, closeQueues } = await openQueues(config, logger, { cluster, executes, onError }, opened);
  const webhooks = new WebhookOutbox(deliveryQueue, logger, { policy: { allowedHosts: config.webhooks.allowedHosts }, maxAttempts: config.webhooks.maxAttempts });
  const metrics = createMetrics(() => stateCounts(prisma));
  // Names this process as the owner of the runs it executes, for crash recovery.
  const workerId = newWorkerId(randomUUID().slice(0, 8));
  const lifecycle = {
    prisma,
    eventWriter: new EventWriter(database.sql, metrics.runs, { windowMs: config.eventCommitWindowMs, logger }),
    events,
    logger,
    queue,
    secrets,
    defaultRunTimeoutSeconds: config.defaultRunTimeoutSeconds,
    compensateInterrupted: config.onInterrupt === 'compensate',
    webhooks,
  };
  const executor = executes
    ? new RunExecutor({
        playbookCpuGroup: await playbookCpuGroupOf(config, logger),
        ...lifecycle,
        playbooksDir: config.playbooksDir,
        playbookEnv: { PROVISIO_LAB_DIR: config.labDir },
        workerId,
        killGraceMs: config.killGraceMs,
        metrics: metrics.runs,
        ansibleNice: config.ansibleNice,
        sharedQueue: cluster,
        clusterMaxRuns: cluster ? config.clusterMaxRuns : undefined,
      })
    : undefined;
  const context: AppContext = {
    ...lifecycle,
    playbooksDir: config.playbooksDir,
    playbookChecker: { syntaxCheck: cachedSyntaxCheck((playbookPath) => syntaxCheck(playbookPath)) },
    trustedDocuments: new TrustedDocumentStore(prisma),
    stopRun: (runId, reason) => executor?.stop(runId, reason) ?? false,
  };

  if (role === 'api') {
    await ensureAdminAccess({ prisma, logger, environmentKey: config.adminKey, keyFile: embedded ? path.join(config.dataDir, ADMIN_KEY_FILE) : undefined });
    if (database.fresh && config.seedDemoData && embedded) {
      await seedDemoData(context);
      logger.info('demo products and inventory seeded');
    }
  }
  const stopFollowingCancels = executor?.followCancels();
  if (stopFollowingCancels) opened.push(async () => stopFollowingCancels());
  if (executor) queue.start((runId) => executor.execute(runId));
  // Webhooks are sent where runs are executed: the API of a cluster only records them.
  const dispatcher = executes
    ? new WebhookDispatcher({
        prisma,
        secrets,
        sender: createHttpWebhookSender({ policy: webhooks.settings.policy, timeoutMs: config.webhooks.timeoutMs }),
        queue: deliveryQueue,
        logger,
        retryBaseMs: config.webhooks.retryBaseMs,
        timeoutMs: config.webhooks.timeoutMs,
        sweepIntervalMs: WEBHOOK_SWEEP_MS,
        metrics: metrics.webhooks,
      })
    : undefined;
  if (dispatcher) {
    await dispatcher.start();
    opened.push(async () => dispatcher.stop());
  }

  const recovery = { ...lifecycle, workerId };
  let liveness: WorkerLiveness | undefined;
  if (embedded) {
    // The data directory lock proves no other process runs: every RUNNING run was orphaned.
    const interrupted = await interruptOrphanedRuns(recovery, () => true);
    if (interrupted) logger.warn({ interrupted }, 'runs interrupted by an earlier crash were marked INTERRUPTED');
  } else {
    // Every process heartbeats, and whichever notices first recovers the runs of a process that stopped.
    const recoverDeadWorkers = async () => {
      const live = await liveWorkerIds(prisma, liveness!.staleAfterMs);
      const interrupted = await interruptOrphanedRuns(recovery, (owner) => owner !== workerId && (owner === null || !live.has(owner)));
      if (interrupted) logger.warn({ interrupted }, 'runs of a process that stopped heartbeating were marked INTERRUPTED');
      await executor?.stopCancelledRuns();
    };
    liveness = new WorkerLiveness({ prisma, logger, workerId, heartbeatMs: config.heartbeatSeconds * 1000, onBeat: recoverDeadWorkers });
    await liveness.start();
    const started = liveness;
    opened.push(() => started.stop());
    await recordProcessIdentity(prisma, workerId);
    // A process of this host that ended (the one this process restarts) is known dead at once.
    const interrupted = await interruptRunsOfEndedLocalWorkers(recovery);
    if (interrupted) logger.warn({ interrupted }, 'runs of a process on this host that ended were marked INTERRUPTED');
  }
  if (executor) {
    // Private run directories (vars files, soon credentials) of a process killed with -9.
    const swept = await sweepOrphanedRunDirs();
    if (swept) logger.warn({ swept }, 'private directories of runs of a dead process were removed');
  }
  // Runs left QUEUED (a crash between the commit and the queue): queued again, at most once each.
  await requeueWaitingRuns(prisma, queue);
  let requeue: NodeJS.Timeout | undefined;
  if (cluster && role === 'api') {
    const requeueAfterMs = REQUEUE_AFTER_BEATS * config.heartbeatSeconds * 1000;
    requeue = setInterval(() => {
      requeueWaitingRuns(prisma, queue, new Date(Date.now() - requeueAfterMs)).catch((error: unknown) => logger.warn({ err: error }, 'requeueing waiting runs failed'));
    }, requeueAfterMs);
    requeue.unref();
  }
  let retention: NodeJS.Timeout | undefined;
  if (role === 'api' && (config.retentionDays > 0 || embedded)) {
    retention = setInterval(() => {
      const prune = config.retentionDays > 0 ? pruneRunHistory(context, config.retentionDays) : Promise.resolve();
      prune
        .then(() => database.reclaimSpace())
        .catch((error: unknown) => logger.error({ err: error }, 'run history pruning failed'));
    }, config.retentionIntervalMinutes * 60_000);
    retention.unref();
  }

  return {
    database,
    events,
    context,
    executor,
    metrics,
    async close(runGraceMs) {
      clearInterval(retention);
      clearInterval(requeue);
      const drained = queue.close();
      const interruptAll = () => {
        // Nobody cancelled these runs: they end INTERRUPTED and are compensated, as after a crash.
        for (const runId of executor?.activeRunIds ?? []) executor?.interrupt(runId, `the ${role === 'worker' ? 'worker' : 'server'} was shutting down`);
      };
      if (runGraceMs > 0) logger.info({ runs: executor?.activeRunIds.length ?? 0, graceMs: runGraceMs }, 'waiting for running runs to finish');
      const grace = setTimeout(interruptAll, runGraceMs);
      if (runGraceMs === 0) interruptAll();
      await drained;
      clearTimeout(grace);
      dispatcher?.stop();
      await closeQueues();
      stopFollowingCancels?.();
      await liveness?.stop();
      await events.close();
      await database.close();
    },
  };
}

/**
 * The run queue and the webhook delivery queue: in process (embedded, or PostgreSQL without
 * Redis), or on one pg-boss (cluster). `closeQueues`, once the run queue has drained, stops the
 * delivery queue (waiting for the sends under way) and what the queues share.
 */
async function openQueues(
  config: Config,
  logger: Logger,
  options: { cluster: boolean; executes: boolean; onError: (runId: string, error: unknown) => void },
  opened: Array<() => Promise<unknown>>,
): Promise<{ queue: RunQueue; deliveryQueue: DeliveryQueue; closeQueues: () => Promise<void> }> {
  const onDeliveryError = (deliveryId: string, error: unknown) => logger.error({ err: error, deliveryId }, 'webhook delivery crashed');
  if (!options.cluster) {
    const queue = createMemoryRunQueue({ concurrency: config.maxConcurrentRuns, onError: options.onError });
    const deliveryQueue = createMemoryDeliveryQueue({ concurrency: WEBHOOK_SENDS, onError: onDeliveryError });
    opened.push(() => queue.close(), () => deliveryQueue.close());
    return { queue, deliveryQueue, closeQueues: () => deliveryQueue.close() };
  }
  const pgBoss = await import('../infra/queue/pg-boss-queue.ts');
  const boss = await pgBoss.openPgBoss(config.databaseUrl!, logger);
  const stopBoss = () => boss.stop({ graceful: false, close: true });
  opened.push(stopBoss);
  const queue = await pgBoss.createPgBossRunQueue({ boss, logger, concurrency: options.executes ? config.maxConcurrentRuns : 0, onError: options.onError });
  opened.push(() => queue.close());
  const { createPgBossDeliveryQueue } = await import('../infra/queue/pg-boss-delivery-queue.ts');
  const deliveryQueue = await createPgBossDeliveryQueue({ boss, logger, concurrency: options.executes ? WEBHOOK_SENDS : 0, onError: onDeliveryError });
  opened.push(() => deliveryQueue.close());
  const closeQueues = async () => {
    await deliveryQueue.close();
    await stopBoss();
  };
  return { queue, deliveryQueue, closeQueues };
}
