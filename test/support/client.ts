import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { createClient as createSseClient, type ClientOptions as SseClientOptions } from 'graphql-sse';
import { createClient as createWsClient, type ClientOptions as WsClientOptions } from 'graphql-ws';

/** Where a test talks to and with which API key. A TestApp is one (with its admin key). */
export interface Endpoint {
  url: string;
  key: string;
}

export const authorization = (endpoint: Endpoint) => ({ authorization: `Bearer ${endpoint.key}` });

/** POSTs a typed document to /graphql the way a partner would, per the GraphQL-over-HTTP spec. */
export async function request<TResult, TVariables>(
  endpoint: Endpoint,
  document: TypedDocumentNode<TResult, TVariables>,
  ...[variables]: VariablesArg<TVariables>
): Promise<ExecutionResult<TResult>> {
  return (await post(endpoint, { query: print(document), variables })).json() as Promise<ExecutionResult<TResult>>;
}

/** POSTs any body (a query, or a documentId) with the endpoint's key; returns the raw response. */
export async function post(endpoint: Endpoint, body: Record<string, unknown>): Promise<Response> {
  const send = () =>
    fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...authorization(endpoint) },
      body: JSON.stringify(body),
    });
  try {
    return await send();
  } catch (error) {
    // A restarted server can get the port of a killed one; fetch then reuses a pooled keep-alive
    // connection to the dead process once and gets ECONNRESET before anything was sent.
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return send();
  }
}

/** Like request, but fails the test on any GraphQL error and returns data. */
/**
 * A document given as text, over HTTP: its data, or an Error listing the GraphQL errors. For
 * suites that read results loosely; `query` is the typed client.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- results are read loosely by design
export async function rawQuery<T = Record<string, any>>(endpoint: Endpoint, document: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = (await (await post(endpoint, { query: document, variables })).json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export async function query<TResult, TVariables>(
  endpoint: Endpoint,
  document: TypedDocumentNode<TResult, TVariables>,
  ...rest: VariablesArg<TVariables>
): Promise<TResult> {
  const result = await request(endpoint, document, ...rest);
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** Variables may be left out when every one of them is optional. */
// `{} extends T` is the idiom for "every property of T is optional".
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type VariablesArg<TVariables> = {} extends TVariables ? [variables?: TVariables] : [variables: TVariables];

/** A graphql-ws client that authenticates with the endpoint's key. */
export function wsClient(endpoint: Endpoint, options: Partial<WsClientOptions> = {}) {
  return createWsClient({ url: endpoint.url.replace(/^http/, 'ws'), lazy: true, connectionParams: authorization(endpoint), ...options });
}

/** A graphql-sse client that authenticates with the endpoint's key. */
export function sseClient(endpoint: Endpoint, options: Partial<SseClientOptions> = {}) {
  return createSseClient({ url: endpoint.url, headers: authorization(endpoint), ...options });
}
