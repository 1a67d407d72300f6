import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../config.ts';
import { ADMIN_KEY_FILE, ensureAdminAccess } from '../domain/access/bootstrap.ts';
import { TrustedDocumentStore } from '../domain/access/trusted-documents.ts';
import { cachedSyntaxCheck } from '../domain/catalog/index.ts';
import type { EventBus } from '../domain/ports/event-bus.ts';
import type { RunQueue } from '../domain/ports/run-queue.ts';
import type { SyncAuditScheduler } from '../domain/ports/sync-audits.ts';
import type { DeliveryQueue } from '../domain/ports/webhooks.ts';
import { WebhookDispatcher, WebhookOutbox } from '../domain/webhooks/index.ts';
import { interruptOrphanedRuns, interruptRunsOfEndedLocalWorkers, liveWorkerIds, newWorkerId, pruneRunHistory, recordProcessIdentity, requeueWaitingRuns, RunExecutor, ScheduledRunStarter, WorkerLiveness } from '../domain/runs/index.ts';
import { compactSecretTables, resealStoredSecrets, type SecretBox } from '../domain/secrets/index.ts';
import { LAB_TARGET } from '../demo/lab/lab.ts';
import { seedDemoData } from '../demo/seed.ts';
import { stateCounts } from '../domain/state-counts.ts';
import { openDatabase, type Database } from '../infra/db/database.ts';
import { GroupCommitEventStore } from '../infra/db/run-event-store.ts';
import { createMetrics, type Metrics } from '../infra/metrics.ts';
import { createMemoryEventBus } from '../infra/pubsub/pubsub.ts';
import { createMemoryDeliveryQueue } from '../infra/queue/delivery-queue.ts';
import { createMemoryRunQueue } from '../infra/queue/queue.ts';
import { createAuditTimers } from '../infra/queue/audit-timers.ts';
import { createHttpWebhookSender } from '../infra/webhooks/http-sender.ts';
import type { Logger } from '../logger.ts';
import { playbookCpuGroup, sweepOrphanedRunDirs, syntaxCheck } from '../runner/index.ts';
import type { AppContext } from '../domain/context.ts';
import { Closers } from './closers.ts';
import { startLabElements } from './lab.ts';
import { openSecretBox } from './secret-keys.ts';
import { followOrders } from '../domain/orders/index.ts';
import { followServiceStates, runSyncAudit, scheduledAudits } from '../domain/services/index.ts';

/** Webhooks a process sends at once. */
const WEBHOOK_SENDS = 8;
/** How often a sender looks for deliveries its queue lost (a crash between a commit and the queue). */
const WEBHOOK_SWEEP_MS = 60_000;

/** How often the API looks at service orders and service states whose run status messages it may have missed. */
const ORDER_SWEEP_MS = 15_000;

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
   * Stops the housekeeping timers and taking runs, lets the running ones finish for up to
   * `runGraceMs`, then interrupts the rest (INTERRUPTED, compensated) and closes what the start
   * opened, the last opened first: heartbeat, webhook dispatcher, cancels, queues, event bus, database.
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
  } else logger.warn({ reason: outcome.reason, nice: config.ansibleNice }, 'no CPU group for playbooks: they share the server autogroup at a lower nice, and a busy host slows them more');
  return outcome.group?.procsFile;
}

/** Where this process stands, decided once at the top: the steps read it, none decides it again. */
interface Profile {
  role: ProcessRole;
  /** PostgreSQL and Redis: the API queues runs on pg-boss, workers execute them. */
  cluster: boolean;
  /** This process executes runs (and sends webhooks): a worker, or any process outside a cluster. */
  executes: boolean;
  /** PGlite in the data directory, whose lock proves no other process runs. */
  embedded: boolean;
}

/** The services both entries share, for one process in its role. */
/** How the API's subscribers read events (the TMF layer's formats); a worker has none. */
export type EventFormats = Pick<AppContext, 'orderEvents' | 'serviceEvents' | 'catalogEvents'>;

export async function openServices(config: Config, logger: Logger, role: ProcessRole, formats: EventFormats = {}): Promise<Services> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  // What is open so far, closed in reverse when a later step fails (a wrong secret key, Redis
  // away): a failed start must not keep the data directory locked or connections open.
  const closers = new Closers();
  closers.push(() => database.close());
  const cluster = isCluster(config);
  const profile: Profile = { role, cluster, executes: role === 'worker' || !cluster, embedded: database.profile === 'embedded' };
  try {
    return await assemble(config, logger, profile, database, closers, formats);
  } catch (error) {
    await closers.closeAll({ ignoreErrors: true });
    throw error;
  }
}

/** The start-up steps, in order; each pushes how to close what it opened on `closers`. */
async function assemble(config: Config, logger: Logger, profile: Profile, database: Database, closers: Closers, formats: EventFormats): Promise<Services> {
  const { prisma } = database;
  const secrets = await openSecrets(config, logger, database, profile);
  const events = await openEventBus(config, logger, closers);
  const { queue, deliveryQueue, syncAudits } = await openQueues(config, logger, profile, closers);
  const { lifecycle, metrics, workerId } = wireRunLifecycle(config, database, { logger, secrets, events, queue, deliveryQueue });
  const executor = profile.executes ? await buildExecutor(config, lifecycle, { workerId, metrics, cluster: profile.cluster }) : undefined;
  const context: AppContext = {
    ...lifecycle,
    playbooksDir: config.playbooksDir,
    playbookChecker: { syntaxCheck: cachedSyntaxCheck((playbookPath) => syntaxCheck(playbookPath, { ansiblePlaybook: config.ansiblePlaybook })) },
    trustedDocuments: new TrustedDocumentStore(prisma),
    stopRun: (runId, reason) => executor?.stop(runId, reason) ?? false,
    syncAudits,
    minAuditIntervalSeconds: config.minAuditIntervalSeconds,
    ...formats,
  };
  // The lab's elements run where playbooks run, before the demo data that targets them.
  const lab = profile.role === 'api' && !profile.cluster ? await startLabElements(config, context, closers) : undefined;
  if (profile.role === 'api') await bootstrapApi(config, database, context, { profile, lab: lab !== undefined });
  if (executor) startExecuting(executor, queue, closers);
  // Webhooks are sent where runs are executed: the API of a cluster only records them.
  if (profile.executes) await startWebhookDispatcher(config, lifecycle, { deliveryQueue, metrics }, closers);
  await recover(config, { ...lifecycle, workerId }, { executor, profile }, closers);
  startScheduledRuns(lifecycle, closers);
  // Audits start bulk checks where runs are queued from: any process (on the cluster, a worker takes each occurrence).
  await syncAudits.start((productId) => runSyncAudit(context, productId).then(() => undefined), await scheduledAudits(prisma));
  // Service orders advance where they are placed, and hubs hear of service states from there:
  // in the API, on every status of the runs.
  if (profile.role === 'api') closers.push(followOrders(context, { sweepMs: ORDER_SWEEP_MS }), followServiceStates(context, { sweepMs: ORDER_SWEEP_MS }));
  const stopHousekeeping = startHousekeeping(config, context, database, profile);

  return {
    database,
    events,
    context,
    executor,
    metrics,
    async close(runGraceMs) {
      stopHousekeeping();
      await drainRuns(queue, executor, { logger, role: profile.role, runGraceMs });
      await closers.closeAll();
    },
  };
}

/** What runs are queued, executed and recovered with: the context the API's resolvers get, less what only they need. */
type Lifecycle = Omit<AppContext, 'playbooksDir' | 'playbookChecker' | 'trustedDocuments' | 'stopRun'>;

/** The outbox, metrics and event store runs are recorded with, and the id this process executes them under. */
function wireRunLifecycle(
  config: Config,
  database: Database,
  opened: Pick<Lifecycle, 'logger' | 'secrets' | 'events' | 'queue'> & { deliveryQueue: DeliveryQueue },
): { lifecycle: Lifecycle; metrics: Metrics; workerId: string } {
  const { logger, deliveryQueue, ...rest } = opened;
  const webhooks = new WebhookOutbox(deliveryQueue, logger, { policy: { allowedHosts: config.webhooks.allowedHosts }, maxAttempts: config.webhooks.maxAttempts });
  const metrics = createMetrics(() => stateCounts(database.prisma));
  // Names this process as the owner of the runs it executes, for crash recovery.
  const workerId = newWorkerId(randomUUID().slice(0, 8));
  const lifecycle: Lifecycle = {
    ...rest,
    prisma: database.prisma,
    eventStore: new GroupCommitEventStore(database.sql, metrics.runs, { windowMs: config.eventCommitWindowMs, logger }),
    logger,
    defaultRunTimeoutSeconds: config.defaultRunTimeoutSeconds,
    compensateInterrupted: config.onInterrupt === 'compensate',
    webhooks,
    // Where Ansible is looked up: the API's target checks, and the runs of the executor (whose deps the lifecycle is spread into).
    ansiblePlaybook: config.ansiblePlaybook,
  };
  return { lifecycle, metrics, workerId };
}

/** Scheduled runs start at their time from any process: the first pass catches up on what came due while none ran. */
function startScheduledRuns(lifecycle: Lifecycle, closers: Closers): void {
  const starter = new ScheduledRunStarter(lifecycle);
  starter.start();
  closers.push(() => starter.stop());
}

/** The secret box, and secrets an earlier version stored in clear sealed with it. */
async function openSecrets(config: Config, logger: Logger, database: Database, profile: Profile): Promise<SecretBox> {
  const secrets = await openSecretBox(config, database.prisma, logger);
  const { sealed } = await resealStoredSecrets(database.prisma, secrets, { rewrap: false });
  if (sealed) {
    logger.warn({ sealed }, 'secrets stored in clear by an earlier version were encrypted');
    if (profile.embedded) await compactSecretTables(database.prisma);
  }
  return secrets;
}

/** Redis where configured, else in process. Redis and pg-boss are loaded only on the profiles that use them: start-up time and memory. */
async function openEventBus(config: Config, logger: Logger, closers: Closers): Promise<EventBus> {
  const events = config.redisUrl ? (await import('../infra/pubsub/redis.ts')).createRedisEventBus(config.redisUrl, logger) : createMemoryEventBus();
  closers.push(() => events.close());
  return events;
}

/** The executor of a process that executes runs (see Profile.executes). */
async function buildExecutor(config: Config, lifecycle: Lifecycle, options: { workerId: string; metrics: Metrics; cluster: boolean }): Promise<RunExecutor> {
  const { workerId, metrics, cluster } = options;
  return new RunExecutor({
    playbookCpuGroup: await playbookCpuGroupOf(config, lifecycle.logger),
    ...lifecycle,
    playbooksDir: config.playbooksDir,
    playbookEnv: { PROVISIO_LAB_DIR: config.labDir },
    workerId,
    killGraceMs: config.killGraceMs,
    metrics: metrics.runs,
    ansibleNice: config.ansibleNice,
    sharedQueue: cluster,
    clusterMaxRuns: cluster ? config.clusterMaxRuns : undefined,
  });
}

/** The API's first key and, on a fresh embedded database, the demo data. */
async function bootstrapApi(config: Config, database: Database, context: AppContext, { profile, lab }: { profile: Profile; lab: boolean }): Promise<void> {
  const { prisma, logger } = context;
  await ensureAdminAccess({ prisma, logger, environmentKey: config.adminKey, keyFile: profile.embedded ? path.join(config.dataDir, ADMIN_KEY_FILE) : undefined });
  if (database.fresh && config.seedDemoData && profile.embedded) {
    await seedDemoData(context, { target: lab ? LAB_TARGET : undefined });
    logger.info('demo products and inventory seeded');
  }
}

/** Cancels from any process reach the runs executing here; the queue hands its runs to the executor. */
function startExecuting(executor: RunExecutor, queue: RunQueue, closers: Closers): void {
  const stopFollowingCancels = executor.followCancels();
  closers.push(() => stopFollowingCancels());
  queue.start((runId) => executor.execute(runId));
}

async function startWebhookDispatcher(config: Config, lifecycle: Lifecycle, options: { deliveryQueue: DeliveryQueue; metrics: Metrics }, closers: Closers): Promise<void> {
  const dispatcher = new WebhookDispatcher({
    prisma: lifecycle.prisma,
    secrets: lifecycle.secrets,
    sender: createHttpWebhookSender({ policy: lifecycle.webhooks.settings.policy, timeoutMs: config.webhooks.timeoutMs }),
    queue: options.deliveryQueue,
    logger: lifecycle.logger,
    retryBaseMs: config.webhooks.retryBaseMs,
    timeoutMs: config.webhooks.timeoutMs,
    sweepIntervalMs: WEBHOOK_SWEEP_MS,
    metrics: options.metrics.webhooks,
  });
  await dispatcher.start();
  closers.push(() => dispatcher.stop());
}

/**
 * Recovery at start: the runs an earlier process left RUNNING are interrupted, and, off the
 * embedded profile, this process heartbeats so that the others can recover its runs if it stops.
 */
async function recover(config: Config, recovery: Lifecycle & { workerId: string }, options: { executor: RunExecutor | undefined; profile: Profile }, closers: Closers): Promise<void> {
  const { prisma, logger, workerId } = recovery;
  const { executor, profile } = options;
  if (profile.embedded) {
    // The data directory lock proves no other process runs: every RUNNING run was orphaned.
    const interrupted = await interruptOrphanedRuns(recovery, () => true);
    if (interrupted) logger.warn({ interrupted }, 'runs interrupted by an earlier crash were marked INTERRUPTED');
  } else {
    // Every process heartbeats, and whichever notices first recovers the runs of a process that stopped.
    const liveness: WorkerLiveness = new WorkerLiveness({
      prisma,
      logger,
      workerId,
      heartbeatMs: config.heartbeatSeconds * 1000,
      onBeat: async () => {
        const live = await liveWorkerIds(prisma, liveness.staleAfterMs);
        const interrupted = await interruptOrphanedRuns(recovery, (owner) => owner !== workerId && (owner === null || !live.has(owner)));
        if (interrupted) logger.warn({ interrupted }, 'runs of a process that stopped heartbeating were marked INTERRUPTED');
        await executor?.stopCancelledRuns();
      },
    });
    await liveness.start();
    closers.push(() => liveness.stop());
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
  await requeueWaitingRuns(prisma, recovery.queue);
}
/**
 * Housekeeping of the API: on a cluster, runs left QUEUED are queued again now and then; run
 * history is pruned and its space reclaimed. Returns how to stop it.
 */
function startHousekeeping(config: Config, context: AppContext, database: Database, profile: Profile): () => void {
  const { prisma, queue, logger } = context;
  let requeue: NodeJS.Timeout | undefined;
  if (profile.cluster && profile.role === 'api') {
    const requeueAfterMs = REQUEUE_AFTER_BEATS * config.heartbeatSeconds * 1000;
    requeue = setInterval(() => {
      requeueWaitingRuns(prisma, queue, new Date(Date.now() - requeueAfterMs)).catch((error: unknown) => logger.warn({ err: error }, 'requeueing waiting runs failed'));
    }, requeueAfterMs);
    requeue.unref();
  }
  let retention: NodeJS.Timeout | undefined;
  if (profile.role === 'api' && (config.retentionDays > 0 || profile.embedded)) {
    retention = setInterval(() => {
      const prune = config.retentionDays > 0 ? pruneRunHistory(context, config.retentionDays) : Promise.resolve();
      prune
        .then(() => database.reclaimSpace())
        .catch((error: unknown) => logger.error({ err: error }, 'run history pruning failed'));
    }, config.retentionIntervalMinutes * 60_000);
    retention.unref();
  }
  return () => {
    clearInterval(retention);
    clearInterval(requeue);
  };
}

/**
 * The first step of a stop: the queue takes no more runs, the running ones get `runGraceMs` to
 * finish, then the rest are interrupted (INTERRUPTED, compensated) and their outcome recorded.
 */
async function drainRuns(queue: RunQueue, executor: RunExecutor | undefined, options: { logger: Logger; role: ProcessRole; runGraceMs: number }): Promise<void> {
  const { logger, role, runGraceMs } = options;
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
}

/**
 * The run queue and the webhook delivery queue: in process (embedded, or PostgreSQL without
 * Redis), or on one pg-boss (cluster), whose stop comes after both queues' closes on `closers`.
 * Closing the delivery queue waits for the sends under way.
 */
async function openQueues(config: Config, logger: Logger, profile: Profile, closers: Closers): Promise<{ queue: RunQueue; deliveryQueue: DeliveryQueue; syncAudits: SyncAuditScheduler }> {
  const onError = (runId: string, error: unknown) => logger.error({ err: error, runId }, 'run handler crashed');
  const onDeliveryError = (deliveryId: string, error: unknown) => logger.error({ err: error, deliveryId }, 'webhook delivery crashed');
  if (!profile.cluster) {
    const queue = createMemoryRunQueue({ concurrency: config.maxConcurrentRuns, onError });
    const deliveryQueue = createMemoryDeliveryQueue({ concurrency: WEBHOOK_SENDS, onError: onDeliveryError });
    const syncAudits = createAuditTimers(logger);
    closers.push(() => queue.close(), () => deliveryQueue.close(), () => syncAudits.close());
    return { queue, deliveryQueue, syncAudits };
  }
  const pgBoss = await import('../infra/queue/pg-boss-queue.ts');
  const boss = await pgBoss.openPgBoss(config.databaseUrl!, logger);
  closers.push(() => boss.stop({ graceful: false, close: true }));
  const queue = await pgBoss.createPgBossRunQueue({ boss, logger, concurrency: profile.executes ? config.maxConcurrentRuns : 0, onError });
  closers.push(() => queue.close());
  const { createPgBossDeliveryQueue } = await import('../infra/queue/pg-boss-delivery-queue.ts');
  const deliveryQueue = await createPgBossDeliveryQueue({ boss, logger, concurrency: profile.executes ? WEBHOOK_SENDS : 0, onError: onDeliveryError });
  closers.push(() => deliveryQueue.close());
  const { createPgBossAudits } = await import('../infra/queue/pg-boss-audits.ts');
  const syncAudits = await createPgBossAudits({ boss, logger, executes: profile.executes });
  closers.push(() => syncAudits.close());
  return { queue, deliveryQueue, syncAudits };
}
