import type http from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { TrustedDocumentLookup } from '../domain/access/trusted-documents.ts';
import type { Viewer } from '../domain/access/viewer.ts';
import { admit, takeRequest, type Gatekeeper } from './authentication.ts';
import { originAllowed } from './origins.ts';
import { trustedQueryFor } from './trusted-documents.ts';
import type { ProvisioYoga } from './yoga.ts';

/** WebSocket close code 1013 (RFC 6455 registry): the server cannot take the connection now. */
const TRY_AGAIN_LATER = 1013;

export interface WebSocketOptions {
  server: http.Server;
  yoga: ProvisioYoga;
  gate: Gatekeeper;
  trustedDocuments: TrustedDocumentLookup;
  corsOrigins: readonly string[];
  /** Largest message a client may send. */
  maxPayload: number;
}

type ConnectionExtra = Extra & { viewer?: Viewer };

/** graphql-ws hands rootValue back to execute/subscribe: we carry Yoga's enveloped functions in it. */
interface EnvelopedRoot {
  execute(args: ExecutionArgs): ReturnType<NonNullable<Parameters<typeof useServer>[0]['execute']>>;
  subscribe(args: ExecutionArgs): ReturnType<NonNullable<Parameters<typeof useServer>[0]['subscribe']>>;
}

/**
 * graphql-ws on the same path as HTTP and SSE, through Yoga's envelop so both share plugins,
 * context, limits and masking. The key comes in connectionParams.authorization, checked at
 * connection init; a revoked or expired key's connection is closed (4403).
 */
export function attachWebSocket(options: WebSocketOptions) {
  const { yoga, gate } = options;
  const wsServer = new WebSocketServer({
    server: options.server,
    path: '/graphql',
    maxPayload: options.maxPayload,
    // Browsers send Origin: a page from an origin not on the list cannot open a socket here.
    verifyClient: ({ origin, req }, done) => {
      const allowed = originAllowed(origin || undefined, req.headers.host, options.corsOrigins);
      done(allowed, allowed ? undefined : 403, allowed ? undefined : 'origin not allowed');
    },
  });
  const cleanup = useServer<Record<string, unknown> | undefined, { viewer?: Viewer }>(
    {
      // graphql-ws closes sockets that have not initialised in 3 s; under load (bench/load's 20
      // playbooks on 2 cores) the server can be that slow to read the client's first message.
      connectionInitWaitTimeout: 15_000,
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        // GraphiQL passes its headers pane as connectionParams, capitalised.
        const admission = await admit(gate, params['authorization'] ?? params['Authorization']);
        const extra = ctx.extra as ConnectionExtra;
        if (!admission.ok) {
          extra.socket.close(closeCodeOf(admission.status), admission.message.slice(0, 120));
          return false;
        }
        extra.viewer = admission.viewer;
        const forget = gate.sessions.add(admission.viewer.keyId, () => extra.socket.close(CloseCode.Forbidden, 'API key revoked or expired'));
        extra.socket.once('close', forget);
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        const extra = ctx.extra as ConnectionExtra;
        const viewer = extra.viewer!;
        const limited = await takeRequest(gate, viewer);
        if (limited) return [new GraphQLError(limited.message, { extensions: { code: limited.code } })];
        const query = await trustedQueryFor(options.trustedDocuments, viewer, params);
        if (query instanceof GraphQLError) return [query];
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: extra.request,
          socket: extra.socket,
          params: { ...params, query },
          viewer,
        });
        let document;
        try {
          document = parse(query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message)];
        }
        const args = {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        try {
          const errors = validate(args.schema, args.document);
          if (errors.length) return errors;
        } catch (error) {
          // Limit rules (depth, aliases) throw their error instead of reporting it.
          return [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message)];
        }
        return args;
      },
    },
    wsServer,
  );
  return {
    /** Closes every connection and the server. */
    async close(): Promise<void> {
      for (const client of wsServer.clients) client.close(1001, 'server shutting down');
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

/** 4401 for a bad key, 4403 over a rate limit, 1013 ("try again later") while the database is away. */
function closeCodeOf(status: 401 | 429 | 503): number {
  if (status === 401) return CloseCode.Unauthorized;
  return status === 503 ? TRY_AGAIN_LATER : CloseCode.Forbidden;
}
