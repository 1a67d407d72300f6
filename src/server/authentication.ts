import type http from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { Authentication, Authenticator } from '../domain/access/api-keys.ts';
import type { Viewer } from '../domain/access/viewer.ts';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from '../domain/database-outage.ts';
import type { RateLimiter } from '../infra/rate-limit.ts';
import type { LiveSessions } from './sessions.ts';

export interface ServerContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** Set by the authentication plugin before anything GraphQL happens. */
  viewer?: Viewer;
}

export interface Gatekeeper {
  authenticator: Authenticator;
  rateLimiter: RateLimiter;
  sessions: LiveSessions;
}

export type Admission = { ok: true; viewer: Viewer } | { ok: false; status: 401 | 429 | 503; code: string; message: string; retryAfterSeconds?: number };

/** Authenticates a key and takes one request from a partner key's allowance: the same for every transport. */
export async function admit(gate: Gatekeeper, authorization: unknown): Promise<Admission> {
  let authentication: Authentication;
  try {
    authentication = await gate.authenticator.authenticate(authorization);
  } catch (error) {
    // A key not in the cache cannot be checked while the database is away: "later", not "no".
    if (!isDatabaseUnavailable(error)) throw error;
    return { ok: false, status: 503, ...DATABASE_UNAVAILABLE, retryAfterSeconds: 1 };
  }
  if (!authentication.ok) return { ok: false, status: 401, code: 'UNAUTHENTICATED', message: authentication.reason };
  const limited = await takeRequest(gate, authentication.viewer);
  return limited ?? { ok: true, viewer: authentication.viewer };
}

/** Counts one request (an HTTP request, a WebSocket subscribe) against a partner key's allowance. */
export async function takeRequest(gate: Gatekeeper, viewer: Viewer): Promise<(Admission & { ok: false }) | null> {
  if (viewer.rateLimitPerMinute === null) return null;
  const verdict = await gate.rateLimiter.consume(viewer.keyId, viewer.rateLimitPerMinute);
  if (verdict.allowed) return null;
  return {
    ok: false,
    status: 429,
    code: 'RATE_LIMITED',
    message: `rate limit of ${viewer.rateLimitPerMinute} requests per minute reached; retry in ${verdict.retryAfterSeconds} s`,
    retryAfterSeconds: verdict.retryAfterSeconds,
  };
}

/**
 * Every request to the GraphQL endpoint carries an API key: without a valid one it is answered
 * 401 (or 429 over a partner's rate limit) before it is parsed. GraphiQL's page itself (a GET for
 * HTML, served by an earlier plugin) needs no key; its requests do.
 */
export function useApiKeys(gate: Gatekeeper, viewers: WeakMap<Request, Viewer>): Plugin<Record<string, unknown>, ServerContext> {
  return {
    onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (url.pathname !== '/graphql' || request.method === 'OPTIONS') return;
      return admit(gate, request.headers.get('authorization') ?? undefined).then((admission) => {
        if (!admission.ok) {
          endResponse(
            new fetchAPI.Response(JSON.stringify({ errors: [{ message: admission.message, extensions: { code: admission.code } }] }), {
              status: admission.status,
              headers: {
                'content-type': 'application/json; charset=utf-8',
                ...(admission.status === 401 ? { 'www-authenticate': 'Bearer realm="provisio"' } : {}),
                ...(admission.retryAfterSeconds ? { 'retry-after': String(admission.retryAfterSeconds) } : {}),
              },
            }),
          );
          return;
        }
        serverContext.viewer = admission.viewer;
        viewers.set(request, admission.viewer);
        if (request.headers.get('accept')?.includes('text/event-stream')) {
          // An SSE subscription lives as long as its response: end it when its key is revoked.
          const { res } = serverContext;
          const forget = gate.sessions.add(admission.viewer.keyId, () => res.end());
          res.once('close', forget);
        }
      });
    },
  };
}
