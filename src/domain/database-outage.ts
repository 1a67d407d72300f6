import type { Logger } from '../logger.ts';

/**
 * Telling a database that went away (a restart, a crash, a failover, the network) from a query
 * that failed on its own merits, by the shapes the drivers give: PostgreSQL's SQLSTATE classes
 * 08 (connection exception) and 57P01–57P03 (shut down, crashed, starting), node's socket
 * errors, pg's "Connection terminated", and Prisma's codes and driver-adapter kinds for the same.
 */

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const SERVER_GONE_CODES = new Set(['57P01', '57P02', '57P03']);
/** Can't reach the server, timed out reaching it, it closed the connection. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
const CONNECTION_LOST = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Can't reach database server|server closed the connection/i;

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  meta?: { driverAdapterError?: { cause?: unknown } };
  errors?: unknown;
}

/** Whether `error` (or what caused it) says the database could not be reached or went away. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const shape = error as ErrorShape;
  const code = typeof shape.code === 'string' ? shape.code : typeof shape.originalCode === 'string' ? shape.originalCode : undefined;
  if (code && (SOCKET_CODES.has(code) || SERVER_GONE_CODES.has(code) || PRISMA_CODES.has(code) || code.startsWith('08'))) return true;
  if (typeof shape.kind === 'string' && ADAPTER_KINDS.has(shape.kind)) return true;
  if (typeof shape.message === 'string' && CONNECTION_LOST.test(shape.message)) return true;
  const causes = [shape.cause, shape.meta?.driverAdapterError?.cause, ...(Array.isArray(shape.errors) ? shape.errors : [])];
  return causes.some((cause) => isDatabaseUnavailable(cause, depth + 1));
}

const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 2_000;

export interface OutageOptions {
  /** Names the work in the log line written once per outage. */
  what: string;
  logger?: Logger | undefined;
  /** Stops retrying (the error is thrown) once aborted. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs `work`, again and again while it fails because the database is away, until it succeeds
 * or fails for another reason. For work whose outcome must not be lost to an outage (a run's
 * events and its end): only for work that is safe to repeat when a failure left it undone.
 */
export async function untilDatabaseAnswers<T>(work: () => Promise<T>, options: OutageOptions): Promise<T> {
  let waitMs = FIRST_RETRY_MS;
  let warned = false;
  for (;;) {
    try {
      const result = await work();
      if (warned) options.logger?.info(`${options.what}: the database answers again`);
      return result;
    } catch (error) {
      if (!isDatabaseUnavailable(error) || options.signal?.aborted) throw error;
      if (!warned) options.logger?.warn({ err: error }, `${options.what}: the database is unavailable; retrying until it answers`);
      warned = true;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      waitMs = Math.min(waitMs * 2, LONGEST_RETRY_MS);
    }
  }
}

/** What a request gets while the database is away (GraphQL error code, HTTP 503). */
export const DATABASE_UNAVAILABLE = { code: 'DATABASE_UNAVAILABLE', message: 'the database is unavailable; retry shortly' } as const;
