import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';

/** POSTs a typed document to /graphql the way a partner would, per the GraphQL-over-HTTP spec. */
export async function request<TResult, TVariables>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  ...[variables]: VariablesArg<TVariables>
): Promise<ExecutionResult<TResult>> {
  const post = () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: print(document), variables }),
    });
  let response: Response;
  try {
    response = await post();
  } catch (error) {
    // A restarted server can get the port of a killed one; fetch then reuses a pooled keep-alive
    // connection to the dead process once and gets ECONNRESET before anything was sent.
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    response = await post();
  }
  return (await response.json()) as ExecutionResult<TResult>;
}

/** Like request, but fails the test on any GraphQL error and returns data. */
export async function query<TResult, TVariables>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  ...rest: VariablesArg<TVariables>
): Promise<TResult> {
  const result = await request(url, document, ...rest);
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** Variables may be left out when every one of them is optional. */
// `{} extends T` is the idiom for "every property of T is optional".
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type VariablesArg<TVariables> = {} extends TVariables ? [variables?: TVariables] : [variables: TVariables];
