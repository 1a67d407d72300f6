import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from './config.ts';
import { ADMIN_KEY_FILE, ensureAdminAccess } from './domain/access/bootstrap.ts';
import { TrustedDocumentStore } from './domain/access/trusted-documents.ts';
import { cachedSyntaxCheck } from './domain/playbooks.ts';
import type { EventBus } from './domain/ports/event-bus.ts';
import type { RunQueue } from './domain/ports/run-queue.ts';
import { EventWriter, interruptOrphanedRuns, liveWorkerIds, newWorkerId, pruneRunHistory, requeueWaitingRuns, RunExecutor, WorkerLiveness } from './domain/runs/index.ts';
import { compactSecretTables, resealStoredSecrets } from './domain/secrets-at-rest.ts';
import { seedDemoData } from './domain/seed.ts';
import { stateCounts } from './domain/state-counts.ts';
import { openDatabase, type Database } from './infra/db/database.ts';
import { createMetrics, type Metrics } from './infra/metrics.ts';
import { createMemoryEventBus } from './infra/pubsub/pubsub.ts';
import { createMemoryRunQueue } from './infra/queue/queue.ts';
import type { Logger } from './logger.ts';
import { sweepOrphanedRunDirs, syntaxCheck } from './runner/index.ts';
import type { AppContext } from './schema/context.ts';
import { openSecretBox } from './secret-keys.ts';

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
  const events = config.redisUrl ? (await import('./infra/pubsub/redis.ts')).createRedisEventBus(config.redisUrl, logger) : createMemoryEventBus();
  opened.push(() => events.close());
  const cluster = isCluster(config);
  const executes = role === 'worker' || !cluster;
  const onError = (runId: string, error: unknown) => logger.error({ err: error, runId }, 'run handler crashed');
  const queue: RunQueue = cluster
    ? await (await import('./infra/queue/pg-boss-queue.ts')).createPgBossRunQueue({ connectionString: config.databaseUrl!, logger, concurrency: executes ? config.maxConcurrentRuns : 0, onError })
    : createMemoryRunQueue({ concurrency: config.maxConcurrentRuns, onError });
  opened.push(() => queue.close());
  const metrics = createMetrics(() => stateCounts(prisma));
  // Names this process as the owner of the runs it executes, for crash recovery.
  const workerId = newWorkerId(randomUUID().slice(0, 8));
  const lifecycle = {
    prisma,
    eventWriter: new EventWriter(database.sql, metrics.runs),
    events,
    logger,
    queue,
    secrets,
    defaultRunTimeoutSeconds: config.defaultRunTimeoutSeconds,
    compensateInterrupted: config.onInterrupt === 'compensate',
  };
  const executor = executes
    ? new RunExecutor({
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
  if (role === 'api' && config.retentionDays > 0) {
    retention = setInterval(() => {
      pruneRunHistory(context, config.retentionDays).catch((error: unknown) => logger.error({ err: error }, 'run history pruning failed'));
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
      stopFollowingCancels?.();
      await liveness?.stop();
      await events.close();
      await database.close();
    },
  };
}
