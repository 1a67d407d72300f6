// The console talks to the same public graph as every client: GraphQL over HTTP for queries and
// mutations, graphql-ws for live data, with the API key the operator signed in with.
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql.ts';

const KEY_STORAGE = 'provisio.apiKey';

/** The tab's API key: sessionStorage, so it goes with the tab and is never written to disk by the page. */
export const session = {
  get key(): string | null {
    return sessionStorage.getItem(KEY_STORAGE);
  },
  signIn(key: string): void {
    sessionStorage.setItem(KEY_STORAGE, key);
  },
  signOut(): void {
    sessionStorage.removeItem(KEY_STORAGE);
    live?.dispose();
    live = undefined;
  },
};

export class ApiError extends Error {
  override name = 'ApiError';
}

const endpoint = new URL('../graphql', location.href).href;

export async function request<Result, Variables>(document: TypedDocumentString<Result, Variables>, variables?: Variables): Promise<Result> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${session.key ?? ''}` },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json().catch(() => ({}))) as { data?: Result; errors?: Array<{ message: string }> };
  if (body.errors?.length) throw new ApiError(body.errors.map((error) => error.message).join('; '));
  if (!body.data) throw new ApiError(`the API answered ${response.status}`);
  return body.data;
}

let live: Client | undefined;

/** One WebSocket for every live view; it reconnects by itself (the views resume from what they have). */
function liveClient(): Client {
  live ??= createClient({
    url: endpoint.replace(/^http/, 'ws'),
    connectionParams: () => ({ authorization: `Bearer ${session.key ?? ''}` }),
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    lazy: true,
  });
  return live;
}

/** Subscribes; returns the unsubscribe function. `onError` gets transport and GraphQL errors. */
export function subscribe<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
  onData: (data: Result) => void,
  onError: (error: Error) => void = () => {},
  onComplete: () => void = () => {},
): () => void {
  return liveClient().subscribe<Result>(
    { query: document.toString(), variables: variables as Record<string, unknown> },
    {
      next: (message) => {
        if (message.errors?.length) onError(new ApiError(message.errors.map((error) => error.message).join('; ')));
        else if (message.data) onData(message.data);
      },
      error: (error) => onError(error instanceof Error ? error : new ApiError('the live connection failed')),
      complete: onComplete,
    },
  );
}

/** The union result of a mutation: its success data, or the error's message. */
export function outcome<T extends { __typename: string }>(result: T, success: string): { ok: true; value: T } | { ok: false; message: string } {
  if (result.__typename === success) return { ok: true, value: result };
  const error = result as unknown as { message?: string; issues?: Array<{ path: string; message: string }> };
  const issues = error.issues?.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return { ok: false, message: issues || error.message || result.__typename };
}
