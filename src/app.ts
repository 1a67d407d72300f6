import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { Authenticator } from './domain/access/api-keys.ts';
import { ADMIN_KEY_FILE, ensureAdminAccess } from './domain/access/bootstrap.ts';
import { TrustedDocumentStore, type TrustedDocumentLookup } from './domain/access/trusted-documents.ts';
import { cachedSyntaxCheck } from './domain/playbooks.ts';
import { interruptOrphanedRuns, pruneRunHistory, requeueWaitingRuns, RunExecutor } from './domain/runs/index.ts';
import { compactSecretTables, resealStoredSecrets } from './domain/secrets-at-rest.ts';
import { seedDemoData } from './domain/seed.ts';
import { openDatabase, type Database } from './infra/db/database.ts';
import type { EventBus } from './domain/ports/event-bus.ts';
import type { RunQueue } from './domain/ports/run-queue.ts';
import { createMemoryEventBus, createRedisEventBus } from './infra/pubsub/pubsub.ts';
import { createMemoryRunQueue } from './infra/queue/queue.ts';
import { createRateLimiter, type RateLimiter } from './infra/rate-limit.ts';
import { createLogger, type Logger } from './logger.ts';
import type { AppContext } from './schema/context.ts';
import { schema } from './schema/index.ts';
import { openSecretBox } from './secret-keys.ts';
import { sweepOrphanedRunDirs, syntaxCheck } from './runner/index.ts';
import { createHttpServer } from './server/http.ts';
import { LiveSessions } from './server/sessions.ts';
import { attachWebSocket } from './server/websocket.ts';
import { createProvisioYoga } from './server/yoga.ts';

/** 10,000 inventory rows with attributes fit well within this. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/** A WebSocket message is one subscribe (or operation) with its variables. */
const MAX_WEBSOCKET_MESSAGE_BYTES = 1024 * 1024;

export interface App {
  /** Opens the database (migrating it), then listens. Resolves with the URL of /graphql. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops taking requests, drains them, closes sockets, the event bus and the database. */
  stop(): Promise<void>;
  /** Available after start(). */
  readonly context: AppContext;
  readonly database: Database;
}

export interface AppOptions {
  logger?: Logger;
}

/** The composition root: builds the services and the transports over them; nothing happens until start(). */
export function buildApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  let database: Database | undefined;
  let events: EventBus | undefined;
  let context: AppContext | undefined;
  let queue: RunQueue | undefined;
  let executor: RunExecutor | undefined;
  let rateLimiter: RateLimiter | undefined;
  let sessions: LiveSessions | undefined;
  let authenticator: Authenticator | undefined;
  let trustedDocuments: TrustedDocumentStore | undefined;
  let retention: NodeJS.Timeout | undefined;
  // Names this process as the owner of the runs it executes, for crash recovery.
  const workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const checkPlaybookSyntax = cachedSyntaxCheck((playbookPath) => syntaxCheck(playbookPath));
  let stopping = false;

  // The transports exist from the start (so stop() can always close them); they reach the
  // services, created in start(), through these getters.
  const services = () => required(context, 'context');
  const gate = {
    get authenticator() {
      return required(authenticator, 'authenticator');
    },
    get rateLimiter() {
      return required(rateLimiter, 'rate limiter');
    },
    get sessions() {
      return required(sessions, 'sessions');
    },
  };
  const documents: TrustedDocumentLookup = {
    find: (partnerId, documentId) => required(trustedDocuments, 'trusted documents').find(partnerId, documentId),
  };

  const yoga = createProvisioYoga({ schema, services, gate, trustedDocuments: documents, logger, corsOrigins: config.corsOrigins, maxRequestBytes: MAX_REQUEST_BYTES });
  const http = createHttpServer({ yoga, logger, maxRequestBytes: MAX_REQUEST_BYTES, readiness });
  const websocket = attachWebSocket({
    server: http.server,
    yoga,
    gate,
    trustedDocuments: documents,
    corsOrigins: config.corsOrigins,
    maxPayload: MAX_WEBSOCKET_MESSAGE_BYTES,
  });

  async function readiness(): Promise<{ ok: boolean; reason?: string }> {
    if (stopping) return { ok: false, reason: 'shutting down' };
    if (!database) return { ok: false, reason: 'starting' };
    try {
      await database.prisma.$queryRawUnsafe('SELECT 1');
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: `database: ${(error as Error).message}` };
    }
  }

  return {
    get context() {
      return services();
    },
    get database() {
      return required(database, 'database');
    },
    async start() {
      const startedAt = performance.now();
      database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
      const secrets = await openSecretBox(config, database.prisma, logger);
      const { sealed } = await resealStoredSecrets(database.prisma, secrets, { rewrap: false });
      if (sealed) {
        logger.warn({ sealed }, 'secrets stored in clear by an earlier version were encrypted');
        if (database.profile === 'embedded') await compactSecretTables(database.prisma);
      }
      events = config.redisUrl ? createRedisEventBus(config.redisUrl) : createMemoryEventBus();
      queue = createMemoryRunQueue({
        concurrency: config.maxConcurrentRuns,
        onError: (runId, error) => logger.error({ err: error, runId }, 'run handler crashed'),
      });
      executor = new RunExecutor({
        prisma: database.prisma,
        events,
        logger,
        playbooksDir: config.playbooksDir,
        playbookEnv: { PROVISIO_LAB_DIR: config.labDir },
        workerId,
        killGraceMs: config.killGraceMs,
        defaultRunTimeoutSeconds: config.defaultRunTimeoutSeconds,
        queue,
        compensateInterrupted: config.onInterrupt === 'compensate',
        secrets,
      });
      const runExecutor = executor;
      authenticator = new Authenticator({ prisma: database.prisma, logger, partnerRateLimitPerMinute: config.partnerRateLimitPerMinute });
      trustedDocuments = new TrustedDocumentStore(database.prisma);
      rateLimiter = createRateLimiter(config.redisUrl);
      sessions = new LiveSessions(authenticator, logger);
      sessions.start(events);
      context = {
        prisma: database.prisma,
        events,
        logger,
        playbooksDir: config.playbooksDir,
        playbookChecker: { syntaxCheck: checkPlaybookSyntax },
        queue,
        defaultRunTimeoutSeconds: config.defaultRunTimeoutSeconds,
        compensateInterrupted: config.onInterrupt === 'compensate',
        trustedDocuments,
        secrets,
        stopRun: (runId, reason) => runExecutor.stop(runId, reason),
      };
      const embedded = database.profile === 'embedded';
      await ensureAdminAccess({
        prisma: database.prisma,
        logger,
        environmentKey: config.adminKey,
        keyFile: embedded ? path.join(config.dataDir, ADMIN_KEY_FILE) : undefined,
      });
      if (database.fresh && config.seedDemoData && embedded) {
        await seedDemoData(context);
        logger.info('demo products and inventory seeded');
      }
      queue.start((runId) => runExecutor.execute(runId));
      if (embedded) {
        // The data directory lock proves no other process runs: every RUNNING run was orphaned.
        const interrupted = await interruptOrphanedRuns(context);
        if (interrupted) logger.warn({ interrupted }, 'runs interrupted by an earlier crash were marked INTERRUPTED');
      }
      // Private run directories (vars files, soon credentials) of a process killed with -9.
      const swept = await sweepOrphanedRunDirs();
      if (swept) logger.warn({ swept }, 'private directories of runs of a dead process were removed');
      await requeueWaitingRuns(database.prisma, queue);
      if (config.retentionDays > 0) {
        const appContext = context;
        retention = setInterval(() => {
          pruneRunHistory(appContext, config.retentionDays).catch((error: unknown) => logger.error({ err: error }, 'run history pruning failed'));
        }, config.retentionIntervalMinutes * 60_000);
        retention.unref();
      }
      await new Promise<void>((resolve, reject) => {
        http.server.once('error', reject);
        http.server.listen(config.port, config.host, () => {
          http.server.off('error', reject);
          resolve();
        });
      });
      const { port } = http.server.address() as AddressInfo;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/graphql`;
      logger.info({ url, profile: database.profile, startupMs: Math.round(performance.now() - startedAt) }, 'Provisio listening');
      return { url, port };
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(retention);
      logger.info('shutting down');
      const httpClosed = http.close(config.shutdownGraceMs);
      await websocket.close();
      await httpClosed;
      // Runs still going are stopped (INTERRUPTED, then compensated); their outcome is recorded before the database closes.
      for (const runId of executor?.activeRunIds ?? []) executor?.interrupt(runId, 'the server was shutting down');
      await queue?.close();
      await sessions?.stop();
      await rateLimiter?.close();
      await events?.close();
      await database?.close();
      logger.info('stopped');
    },
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`Provisio app is not started (${what} unavailable)`);
  return value;
}
