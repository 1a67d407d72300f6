import type { Context } from 'hono';
import type { AppContext } from '../domain/context.ts';
import type { Viewer } from '../domain/access/viewer.ts';
import type { Logger } from '../logger.ts';
import type { Gatekeeper } from '../server/authentication.ts';
import { pageHeaders, parseListQuery, selectFields, type ListQuery, type Queryable } from './conventions.ts';

/** The base path every TMF Open API is served under (TMF630). */
export const TMF_BASE = '/tmf-api';

export interface TmfDeps {
  gate: Gatekeeper;
  services: () => AppContext;
  logger: Logger;
}

export type TmfEnv = { Variables: { viewer: Viewer } };
export type TmfContext = Context<TmfEnv>;

/** Where resources are: a request (its host and scheme, as the client used them), or an origin (events). */
export type Origin = Context | string;

/** The absolute URL of a resource (TMF `href`). */
export function hrefOf(origin: Origin, path: string): string {
  return `${typeof origin === 'string' ? origin : new URL(origin.req.url).origin}${TMF_BASE}${path}`;
}

/** A list response: the page, with TMF630's counts, 206 when it is not everything. */
export function pageResponse(c: Context, page: unknown[], total: number, offset: number): Response {
  const { status, headers } = pageHeaders(total, page.length, offset);
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json(page, status);
}

/**
 * A TMF630 list: the request's parameters against what the resource lets a client filter and
 * sort by, within what the caller may see; `read` counts and pages, `show` renders one row.
 */
export async function listResponse<Where, OrderBy, Row>(
  c: Context,
  queryable: Queryable<Where, OrderBy>,
  visible: Where,
  read: (where: { AND: Where[] }, query: ListQuery<Where, OrderBy>) => Promise<[number, Row[]]>,
  show: (row: Row) => Record<string, unknown>,
): Promise<Response> {
  const query = parseListQuery(new URL(c.req.url).searchParams, queryable);
  const [total, rows] = await read({ AND: [visible, ...query.where] }, query);
  return pageResponse(c, rows.map((row) => selectFields(show(row), query.fields)), total, query.offset);
}
