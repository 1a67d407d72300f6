import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { normaliseDocumentId, type TrustedDocumentLookup } from '../domain/access/trusted-documents.ts';
import type { Viewer } from '../domain/access/viewer.ts';

const ONLY_REGISTERED = 'partner keys run only registered documents: send "documentId": "sha256:<hex>" from your persisted documents manifest, not a query';
const UNKNOWN_DOCUMENT = 'no document with this id is registered for your partner; ask an admin to register your manifest';
const NO_DOCUMENT = 'send a query, or a documentId of a registered document';

/** The document id a request names: GraphQL over HTTP's `documentId`, or an APQ-style extension. */
export function requestedDocumentId(params: { documentId?: unknown; extensions?: unknown }): string | null {
  const persisted = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return normaliseDocumentId(params.documentId ?? persisted?.sha256Hash);
}

/** Partners may run only their registered documents; staff may send any (HTTP and SSE). */
export function useTrustedDocuments(store: TrustedDocumentLookup, viewers: WeakMap<Request, Viewer>): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: (request) => viewers.get(request)?.role !== 'PARTNER',
    extractPersistedOperationId: (params) => requestedDocumentId(params as GraphQLParams & { documentId?: unknown }),
    getPersistedOperation: (documentId, request) => {
      const viewer = viewers.get(request);
      return viewer?.partnerId ? store.find(viewer.partnerId, documentId) : null;
    },
    customErrors: {
      persistedQueryOnly: { message: ONLY_REGISTERED, extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 403 } } },
      notFound: { message: UNKNOWN_DOCUMENT, extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 404 } } },
      keyNotFound: { message: NO_DOCUMENT, extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } } },
    },
  });
}

/** The same rule for graphql-ws, which does not pass through Yoga's request hooks: the query to run, or why not. */
export async function trustedQueryFor(
  store: TrustedDocumentLookup,
  viewer: Viewer,
  payload: { query: string; documentId?: unknown; extensions?: unknown },
): Promise<string | GraphQLError> {
  if (viewer.role !== 'PARTNER') {
    if (payload.query) return payload.query;
    return new GraphQLError(NO_DOCUMENT, { extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' } });
  }
  // graphql-ws requires a query string: a partner sends "" (or the document id itself) there.
  const queryAsId = normaliseDocumentId(payload.query);
  if (payload.query && !queryAsId) return new GraphQLError(ONLY_REGISTERED, { extensions: { code: 'PERSISTED_QUERY_ONLY' } });
  const documentId = requestedDocumentId(payload) ?? queryAsId;
  if (!documentId) return new GraphQLError(NO_DOCUMENT, { extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' } });
  const document = await store.find(viewer.partnerId!, documentId);
  return document ?? new GraphQLError(UNKNOWN_DOCUMENT, { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
}
