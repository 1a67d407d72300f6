import { badRequest } from './errors.ts';

// TMF630 (REST API design guidelines, part 1) query conventions, shared by every TMF API:
// attribute selection, attribute filters, paging and sorting.

export type FilterOperator = 'eq' | 'gt' | 'gte' | 'lt' | 'lte';

/** `attr=v1,v2` (either value), `attr.gt=v`, `attr>=v`: one attribute's condition. */
export interface AttributeFilter {
  attribute: string;
  operator: FilterOperator;
  /** Two or more: any of them (TMF630's comma is an OR). */
  values: string[];
}

export type SortDirection = 'asc' | 'desc';

/**
 * What a resource lets a client filter and sort by, in its store's terms. An attribute not
 * listed is refused with a 400 that names the supported ones, rather than silently ignored
 * (which would return everything to a client that believes it filtered).
 */
export interface Queryable<Where, OrderBy> {
  filters: Record<string, (filter: AttributeFilter) => Where>;
  sorts: Record<string, (direction: SortDirection) => OrderBy>;
  /** Appended to every order, so that pages are stable (a unique key last). */
  tieBreak: OrderBy;
}

export interface ListQuery<Where, OrderBy> {
  fields: FieldSelection;
  offset: number;
  limit: number;
  where: Where[];
  orderBy: OrderBy[];
}

/** `all`, or the first-level attributes asked for (`id`, `href` and `@type` always come too). */
export type FieldSelection = 'all' | ReadonlySet<string>;

export const PAGE_LIMITS = { defaultLimit: 100, maxLimit: 100 } as const;

const RESERVED = new Set(['fields', 'offset', 'limit', 'sort']);
const OPERATORS: Record<string, FilterOperator> = { '.eq': 'eq', '.gt': 'gt', '.gte': 'gte', '.lt': 'lt', '.lte': 'lte' };
const SYMBOLS: Record<string, FilterOperator> = { '>=': 'gte', '<=': 'lte', '>': 'gt', '<': 'lt' };
const ALWAYS = ['id', 'href', '@type'];

function nonNegativeInteger(name: string, raw: string | null, fallback: number): number {
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw badRequest(`${name} must be a non-negative integer (got "${raw}")`);
  return Number(raw);
}

/** One query parameter as a filter: `attr[.op]=values` or `attr<op>value` (with an empty value). */
export function parseFilter(key: string, value: string): AttributeFilter {
  const symbolic = /^([^<>=]+?)(>=|<=|>|<)(.*)$/.exec(key);
  if (symbolic && value === '') return { attribute: symbolic[1]!, operator: SYMBOLS[symbolic[2]!]!, values: [symbolic[3]!] };
  const suffix = /^(.+?)(\.eq|\.gte|\.gt|\.lte|\.lt)$/.exec(key);
  const [attribute, operator] = suffix ? [suffix[1]!, OPERATORS[suffix[2]!]!] : [key, 'eq' as const];
  const values = value.split(',');
  if (values.some((one) => one === '')) throw badRequest(`filter ${key} has an empty value`);
  if (operator !== 'eq' && values.length > 1) throw badRequest(`filter ${key} takes one value (a comma means OR only for equality)`);
  return { attribute, operator, values };
}

/** `fields=` of a request (TMF630): `none`, a comma list, or absent for all. */
export function parseFields(raw: string | null | undefined): FieldSelection {
  if (raw === null || raw === undefined || raw === '') return 'all';
  if (raw === 'none') return new Set(ALWAYS);
  return new Set([...ALWAYS, ...raw.split(',').map((field) => field.trim()).filter(Boolean)]);
}

function parseSort<OrderBy>(raw: string | null, queryable: Queryable<unknown, OrderBy>): OrderBy[] {
  const orders: OrderBy[] = [];
  for (const entry of raw ? raw.split(',') : []) {
    const direction: SortDirection = entry.startsWith('-') ? 'desc' : 'asc';
    const attribute = entry.replace(/^[-+]/, '');
    const sort = queryable.sorts[attribute];
    if (!sort) throw badRequest(`cannot sort by "${attribute}"; sortable: ${Object.keys(queryable.sorts).join(', ')}`);
    orders.push(sort(direction));
  }
  return [...orders, queryable.tieBreak];
}

/** Reads a list request's TMF630 parameters; throws a 400 `TmfError` on any it cannot honour. */
export function parseListQuery<Where, OrderBy>(params: URLSearchParams, queryable: Queryable<Where, OrderBy>): ListQuery<Where, OrderBy> {
  const where: Where[] = [];
  for (const [key, value] of params) {
    if (RESERVED.has(key)) continue;
    const filter = parseFilter(key, value);
    const build = queryable.filters[filter.attribute];
    if (!build) throw badRequest(`cannot filter by "${filter.attribute}"; filterable: ${Object.keys(queryable.filters).join(', ')}`);
    where.push(build(filter));
  }
  return {
    fields: parseFields(params.get('fields')),
    offset: nonNegativeInteger('offset', params.get('offset'), 0),
    // A larger page than the cap is not an error: the client gets a smaller one and 206 says so.
    limit: Math.min(nonNegativeInteger('limit', params.get('limit'), PAGE_LIMITS.defaultLimit), PAGE_LIMITS.maxLimit),
    where,
    orderBy: parseSort(params.get('sort'), queryable),
  };
}

/** A resource with only the selected first-level attributes. */
export function selectFields<T extends Record<string, unknown>>(resource: T, fields: FieldSelection): Partial<T> {
  if (fields === 'all') return resource;
  return Object.fromEntries(Object.entries(resource).filter(([key]) => fields.has(key))) as Partial<T>;
}

/** Whether a selection needs an attribute (to skip reading what will not be shown). */
export const wants = (fields: FieldSelection, attribute: string): boolean => fields === 'all' || fields.has(attribute);

/** A list response's status and headers: 206 when the page is not everything (TMF630). */
export function pageHeaders(total: number, returned: number, offset: number): { status: 200 | 206; headers: Record<string, string> } {
  return {
    status: offset > 0 || returned < total ? 206 : 200,
    headers: { 'X-Total-Count': String(total), 'X-Result-Count': String(returned) },
  };
}

/** A filter value as a date; a 400 names the attribute when it is not one. */
export function dateValue(filter: AttributeFilter, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badRequest(`${filter.attribute} takes a date-time (ISO 8601), not "${value}"`);
  return date;
}

/** A date filter as the store compares it: `{ equals | gt | gte | lt | lte: date }`. */
export function dateComparison(filter: AttributeFilter): Record<string, Date> {
  return { [filter.operator === 'eq' ? 'equals' : filter.operator]: dateValue(filter, filter.values[0]!) };
}

/** An equality filter whose values must be among `allowed` (an enum column: a stray value is a 400, not a failed query). */
export function oneOf<T extends string>(filter: AttributeFilter, allowed: readonly T[], what: string): T[] {
  const values = equalityOnly(filter);
  const unknown = values.filter((value) => !allowed.includes(value as T));
  if (unknown.length > 0) throw badRequest(`unknown ${filter.attribute} ${unknown.join(', ')}; ${what} is ${allowed.join(', ')}`);
  return values as T[];
}

/** Refuses an operator other than equality where only equality makes sense (an id, a state). */
export function equalityOnly(filter: AttributeFilter): string[] {
  if (filter.operator !== 'eq') throw badRequest(`${filter.attribute} can only be compared for equality`);
  return filter.values;
}
