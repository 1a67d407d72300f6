import type { AddressInfo } from 'node:net';
import type { Config } from '../config.ts';
import { Authenticator } from '../domain/access/api-keys.ts';
import type { TrustedDocumentLookup } from '../domain/access/trusted-documents.ts';
import type { Database } from '../infra/db/database.ts';
import { createRateLimiter, type RateLimiter } from '../infra/rate-limit.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { AppContext } from '../domain/context.ts';
import { schema } from '../schema/index.ts';
import { createHttpServer } from '../server/http.ts';
import { LiveSessions } from '../server/sessions.ts';
import { attachWebSocket } from '../server/websocket.ts';
import { createProvisioYoga } from '../server/yoga.ts';
import { getRequestListener } from '@hono/node-server';
import { createTmfApp } from '../tmf/app.ts';
import { tmfCatalogEvents, tmfOrderEvents, tmfServiceEvents } from '../tmf/events.ts';
import { isCluster, openServices, type Services } from './services.ts';

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

/** The API process: the transports (HTTP, SSE, WebSocket) over the shared services (services.ts); nothing happens until start(). */
export function buildApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  let opened: Services | undefined;
  let rateLimiter: RateLimiter | undefined;
  let sessions: LiveSessions | undefined;
  let authenticator: Authenticator | undefined;
  let stopping = false;

  // The transports exist from the start (so stop() can always close them); they reach the
  // services, created in start(), through these getters.
  const services = () => required(opened, 'services').context;
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
    find: (partnerId, documentId) => services().trustedDocuments.find(partnerId, documentId),
  };

  const yoga = createProvisioYoga({
    schema,
    services,
    gate,
    trustedDocuments: documents,
    logger,
    corsOrigins: config.corsOrigins,
    maxRequestBytes: MAX_REQUEST_BYTES,
    readiness,
    metrics: () => required(opened, 'services').metrics,
  });
  const tmf = getRequestListener(createTmfApp({ gate, services, logger }).fetch);
  const http = createHttpServer({ yoga, tmf, logger, maxRequestBytes: MAX_REQUEST_BYTES });
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
    if (!opened) return { ok: false, reason: 'starting' };
    try {
      await opened.database.prisma.$queryRawUnsafe('SELECT 1');
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
      return required(opened, 'services').database;
    },
    async start() {
      const startedAt = performance.now();
      // Resources in TMF events point where clients reach this server (known once it listens).
      let origin = config.publicUrl ?? '';
      opened = await openServices(config, logger, 'api', { orderEvents: tmfOrderEvents(() => origin), serviceEvents: tmfServiceEvents(() => origin), catalogEvents: tmfCatalogEvents(() => origin) });
      authenticator = new Authenticator({ prisma: opened.database.prisma, logger, partnerRateLimitPerMinute: config.partnerRateLimitPerMinute });
      rateLimiter = await createRateLimiter(config.redisUrl);
      sessions = new LiveSessions(authenticator, logger);
      sessions.start(opened.events);
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
      origin ||= new URL(url).origin;
      logger.info({ url, profile: isCluster(config) ? 'cluster' : opened.database.profile, startupMs: Math.round(performance.now() - startedAt) }, 'Provisio listening');
      return { url, port };
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down');
      const httpClosed = http.close(config.shutdownGraceMs);
      await websocket.close();
      await httpClosed;
      await sessions?.stop();
      await rateLimiter?.close();
      // Runs this process executes are interrupted (then compensated); their outcome is recorded before the database closes.
      await opened?.close(0);
      logger.info('stopped');
    },
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`Provisio app is not started (${what} unavailable)`);
  return value;
}
