import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { createYoga, maskError } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from './config.ts';
import { DomainError } from './domain/errors.ts';
import { cachedSyntaxCheck } from './domain/playbooks.ts';
import { interruptOrphanedRuns, requeueWaitingRuns } from './domain/recovery.ts';
import { pruneRunHistory } from './domain/run-control.ts';
import { RunExecutor } from './domain/run-executor.ts';
import { seedDemoData } from './domain/seed.ts';
import { openDatabase, type Database } from './infra/db/database.ts';
import { createMemoryEventBus, createRedisEventBus, type EventBus } from './infra/pubsub/pubsub.ts';
import { createMemoryRunQueue, type RunQueue } from './infra/queue/queue.ts';
import { createLogger, type Logger } from './logger.ts';
import type { AppContext } from './schema/context.ts';
import { syntaxCheck } from './runner/index.ts';
import { schema } from './schema/index.ts';

/** 10,000 inventory rows with attributes fit well within this. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export interface App {
  /** Opens the database (migrating it), then listens. Resolves with the URL of /graphql. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops taking requests, drains them, closes sockets, the event bus and the database. */
  stop(): Promise<void>;
  /** Available after start(). */
  readonly context: AppContext;
  readonly database: Database;
}

/** graphql-ws hands rootValue back to execute/subscribe: we carry Yoga's enveloped functions in it. */
interface EnvelopedRoot {
  execute(args: ExecutionArgs): ReturnType<NonNullable<Parameters<typeof useServer>[0]['execute']>>;
  subscribe(args: ExecutionArgs): ReturnType<NonNullable<Parameters<typeof useServer>[0]['subscribe']>>;
}

export interface AppOptions {
  logger?: Logger;
}

/** Builds the Provisio server; nothing happens until start(). */
export function buildApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  let database: Database | undefined;
  let events: EventBus | undefined;
  let context: AppContext | undefined;
  let queue: RunQueue | undefined;
  let executor: RunExecutor | undefined;
  let retention: NodeJS.Timeout | undefined;
  // Names this process as the owner of the runs it executes, for crash recovery.
  const workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const checkPlaybookSyntax = cachedSyntaxCheck((playbookPath) => syntaxCheck(playbookPath));
  let stopping = false;
  const streams = new Set<http.ServerResponse>();

  const yoga = createYoga<{ req: http.IncomingMessage; res: http.ServerResponse }>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Provisio', subscriptionsProtocol: 'WS' },
    landingPage: false,
    healthCheckEndpoint: '/healthz',
    maskedErrors: {
      // Domain errors are written for users; anything else stays "Unexpected error." (and is logged).
      maskError: (error, message, isDev) => {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof DomainError) return new GraphQLError(original.message, { extensions: { code: original.name } });
        return maskError(error, message, isDev);
      },
    },
    context: () => required(context, 'context'),
    logging: {
      debug: (...args) => logger.debug(args.join(' ')),
      info: (...args) => logger.info(args.join(' ')),
      warn: (...args) => logger.warn(args.join(' ')),
      error: (...args) => logger.error({ err: args.find((a) => a instanceof Error) }, args.filter((a) => !(a instanceof Error)).join(' ')),
    },
  });

  const server = http.createServer((req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      logger.debug({ method: req.method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
    if (req.url === '/readyz') {
      void readiness().then((ready) => {
        res.writeHead(ready.ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ready));
      });
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) {
      // Answer once the client has finished sending, so it reads the 413 instead of a reset
      // connection; a client that keeps sending far beyond the limit is cut off.
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > 4 * MAX_REQUEST_BYTES) req.socket.destroy();
      });
      req.on('end', () => {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ errors: [{ message: `request body larger than ${MAX_REQUEST_BYTES} bytes; split bulk imports` }] }));
      });
      return;
    }
    if (req.headers.accept?.includes('text/event-stream')) {
      // SSE responses never end on their own: remember them so shutdown can close them.
      streams.add(res);
      res.on('close', () => streams.delete(res));
    }
    void yoga.requestListener(req, res);
  });

  const wsServer = new WebSocketServer({ server, path: '/graphql' });
  const wsCleanup = useServer(
    {
      // graphql-ws closes sockets that have not initialised in 3 s; under load (20 playbooks on
      // 2 cores in bench/load) the server can be that slow to read the client's first message.
      connectionInitWaitTimeout: 15_000,
      // graphql-ws runs through Yoga's envelop so both transports share plugins, context and masking.
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const { schema: envelopedSchema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const args = {
          schema: envelopedSchema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wsServer,
  );

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
      return required(context, 'context');
    },
    get database() {
      return required(database, 'database');
    },
    async start() {
      const startedAt = performance.now();
      database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
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
      });
      const runExecutor = executor;
      context = {
        prisma: database.prisma,
        events,
        logger,
        playbooksDir: config.playbooksDir,
        playbookChecker: { syntaxCheck: checkPlaybookSyntax },
        queue,
        defaultRunTimeoutSeconds: config.defaultRunTimeoutSeconds,
        compensateInterrupted: config.onInterrupt === 'compensate',
        stopRun: (runId, reason) => runExecutor.stop(runId, reason),
      };
      if (database.fresh && config.seedDemoData && database.profile === 'embedded') {
        await seedDemoData(context);
        logger.info('demo products and inventory seeded');
      }
      queue.start((runId) => runExecutor.execute(runId));
      if (database.profile === 'embedded') {
        // The data directory lock proves no other process runs: every RUNNING run was orphaned.
        const interrupted = await interruptOrphanedRuns(context);
        if (interrupted) logger.warn({ interrupted }, 'runs interrupted by an earlier crash were marked INTERRUPTED');
      }
      await requeueWaitingRuns(database.prisma, queue);
      if (config.retentionDays > 0) {
        const appContext = context;
        retention = setInterval(() => {
          pruneRunHistory(appContext, config.retentionDays).catch((error: unknown) => logger.error({ err: error }, 'run history pruning failed'));
        }, config.retentionIntervalMinutes * 60_000);
        retention.unref();
      }
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
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
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const client of wsServer.clients) client.close(1001, 'server shutting down');
      await wsCleanup.dispose();
      for (const stream of streams) stream.end();
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await (server.listening ? closed : Promise.resolve());
      clearTimeout(grace);
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      // Runs still going are stopped like a cancel would; their outcome is recorded before the database closes.
      for (const runId of executor?.activeRunIds ?? []) executor?.stop(runId, 'server shutting down');
      await queue?.close();
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
