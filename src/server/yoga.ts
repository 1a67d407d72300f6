import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createYoga, maskError, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import type { TrustedDocumentLookup } from '../domain/access/trusted-documents.ts';
import type { Viewer } from '../domain/access/viewer.ts';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from '../domain/database-outage.ts';
import { DomainError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { AppContext } from '../domain/context.ts';
import type { RequestContext } from '../schema/context.ts';
import { useApiKeys, type Gatekeeper, type ServerContext } from './authentication.ts';
import type { Metrics } from '../infra/metrics.ts';
import { useChunkedBodyLimit } from './body-limit.ts';
import { boundedParseCache, useArmor, useCostLimit, useDocumentLengthLimit } from './limits.ts';
import { useMetricsEndpoint, useSubscriptionGauge } from './metrics.ts';
import { useTrustedDocuments } from './trusted-documents.ts';

export interface YogaOptions {
  schema: GraphQLSchema;
  /** The app's services; available once the app has started. */
  services: () => AppContext;
  gate: Gatekeeper;
  trustedDocuments: TrustedDocumentLookup;
  logger: Logger;
  /** Browser origins allowed to call the API cross-origin (CORS); empty: none. */
  corsOrigins: readonly string[];
  maxRequestBytes: number;
  /** This process's metrics (/metrics, subscription counts); available once the app has started. */
  metrics: () => Metrics;
  /** /readyz: whether this instance should get traffic (started, database answering, not shutting down). */
  readiness(): Promise<{ ok: boolean; reason?: string }>;
}

export type ProvisioYoga = YogaServerInstance<ServerContext, RequestContext>;

/** GraphQL over HTTP and SSE, with the request seam every call passes: key, limits, trusted documents. */
export function createProvisioYoga(options: YogaOptions): ProvisioYoga {
  const { logger } = options;
  const viewers = new WeakMap<Request, Viewer>();
  let graphiqlPage: Promise<string> | undefined;
  return createYoga<ServerContext, RequestContext>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    graphiql: {
      title: 'Provisio',
      // Subscriptions over SSE: GraphiQL sends its headers pane (the API key) with every request,
      // subscriptions included; its WebSocket client would not send them.
      subscriptionsProtocol: 'SSE',
      headers: JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2),
    },
    // GraphiQL from the package, not a CDN: operations networks are often isolated. The page
    // (large: everything inlined) is built once, on the first visit.
    renderGraphiQL: (options) => (graphiqlPage ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options))),
    landingPage: false,
    healthCheckEndpoint: '/healthz',
    // Ours (useChunkedBodyLimit) instead: Yoga's leaves the rest of a chunked body unread.
    maxRequestBodySize: false,
    parserAndValidationCache: boundedParseCache(),
    // Cross-origin browsers only from the allow-list; same-origin pages (GraphiQL) need no CORS.
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (!origin || !options.corsOrigins.includes(origin)) return false;
      return { origin: [origin], credentials: false, methods: ['GET', 'POST'], allowedHeaders: ['authorization', 'content-type', 'x-graphql-yoga-csrf'], maxAge: 600 };
    },
    // `documentId` names a registered document (GraphQL over HTTP, persisted documents).
    extraParamNames: ['documentId'],
    plugins: [
      // Before the key check: load balancers probe without a key.
      useReadinessCheck({
        endpoint: '/readyz',
        check: async ({ fetchAPI }) => {
          const ready = await options.readiness();
          return new fetchAPI.Response(JSON.stringify(ready), { status: ready.ok ? 200 : 503, headers: { 'content-type': 'application/json' } });
        },
      }),
      useMetricsEndpoint(options.gate, options.metrics),
      useApiKeys(options.gate, viewers),
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      useTrustedDocuments(options.trustedDocuments, viewers),
      useDocumentLengthLimit(),
      useArmor(),
      useCostLimit(),
      useSubscriptionGauge(options.metrics),
      useChunkedBodyLimit(options.maxRequestBytes),
    ],
    maskedErrors: {
      // Domain errors are written for users; anything else stays "Unexpected error." (and is logged).
      maskError: (error, message, isDev) => {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof DomainError) return new GraphQLError(original.message, { extensions: { code: original.name } });
        if (isDatabaseUnavailable(original)) return new GraphQLError(DATABASE_UNAVAILABLE.message, { extensions: { code: DATABASE_UNAVAILABLE.code, http: { status: 503 } } });
        return maskError(error, message, isDev);
      },
    },
    context: ({ viewer }) => {
      // The authentication plugin (HTTP) or the WebSocket handshake set the viewer; never missing here.
      if (!viewer) throw new GraphQLError('an API key is required', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      return { ...options.services(), viewer };
    },
    logging: {
      debug: (...args) => logger.debug(args.join(' ')),
      info: (...args) => logger.info(args.join(' ')),
      warn: (...args) => logger.warn(args.join(' ')),
      error: (...args) => {
        const err = args.find((a) => a instanceof Error);
        // A typed error (not found, forbidden, invalid input) is the caller's business, not the operator's.
        const expected = err instanceof DomainError || (err instanceof GraphQLError && err.originalError instanceof DomainError);
        logger[expected ? 'debug' : 'error']({ err }, args.filter((a) => !(a instanceof Error)).join(' '));
      },
    },
  });
}
