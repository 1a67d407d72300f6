import { describe, expect, it } from 'vitest';
import { pageHeaders, parseFields, parseFilter, parseListQuery, selectFields, type Queryable } from '../../src/tmf/conventions.ts';
import { TmfError } from '../../src/tmf/errors.ts';

// TMF630's query conventions as the TMF facade reads them.

const QUERYABLE: Queryable<string, string> = {
  filters: { state: (filter) => `state ${filter.operator} ${filter.values.join('|')}`, startDate: (filter) => `startDate ${filter.operator} ${filter.values[0]}` },
  sorts: { startDate: (direction) => `startDate ${direction}` },
  tieBreak: 'id asc',
};

const refused = (run: () => unknown): TmfError => {
  try {
    run();
  } catch (error) {
    if (error instanceof TmfError) return error;
    throw error;
  }
  throw new Error('was not refused');
};

describe('TMF630 filters', () => {
  it('reads equality with a comma as OR, the .op suffixes and the symbolic operators', () => {
    expect(parseFilter('state', 'active,inactive')).toEqual({ attribute: 'state', operator: 'eq', values: ['active', 'inactive'] });
    expect(parseFilter('startDate.gte', '2026-01-01')).toEqual({ attribute: 'startDate', operator: 'gte', values: ['2026-01-01'] });
    expect(parseFilter('startDate.gt', '2026-01-01')).toEqual({ attribute: 'startDate', operator: 'gt', values: ['2026-01-01'] });
    expect(parseFilter('serviceSpecification.id', 'x')).toEqual({ attribute: 'serviceSpecification.id', operator: 'eq', values: ['x'] });
    // `?startDate>=2026-01-01` arrives as a key with an empty value.
    expect(parseFilter('startDate>=2026-01-01', '')).toEqual({ attribute: 'startDate', operator: 'gte', values: ['2026-01-01'] });
    expect(parseFilter('startDate<2026-01-01', '')).toEqual({ attribute: 'startDate', operator: 'lt', values: ['2026-01-01'] });
  });

  it('refuses an empty value and an OR under an ordering operator', () => {
    expect(refused(() => parseFilter('state', 'active,')).message).toContain('empty value');
    expect(refused(() => parseFilter('startDate.gt', 'a,b')).message).toContain('one value');
  });
});

describe('TMF630 list parameters', () => {
  it('builds filters, the order with its tie-break, and the page', () => {
    const query = parseListQuery(new URLSearchParams('state=active&startDate.lt=2026&sort=-startDate&offset=20&limit=10&fields=state'), QUERYABLE);
    expect(query).toEqual({
      fields: new Set(['id', 'href', '@type', 'state']),
      offset: 20,
      limit: 10,
      where: ['state eq active', 'startDate lt 2026'],
      orderBy: ['startDate desc', 'id asc'],
    });
  });

  it('caps the page size rather than refusing it, and defaults it', () => {
    expect(parseListQuery(new URLSearchParams('limit=5000'), QUERYABLE).limit).toBe(100);
    expect(parseListQuery(new URLSearchParams(''), QUERYABLE)).toMatchObject({ limit: 100, offset: 0, fields: 'all', orderBy: ['id asc'] });
  });

  it('names what it supports when a filter, a sort or a number is wrong', () => {
    expect(refused(() => parseListQuery(new URLSearchParams('colour=red'), QUERYABLE))).toMatchObject({ status: 400, message: 'cannot filter by "colour"; filterable: state, startDate' });
    expect(refused(() => parseListQuery(new URLSearchParams('sort=name'), QUERYABLE)).message).toBe('cannot sort by "name"; sortable: startDate');
    expect(refused(() => parseListQuery(new URLSearchParams('offset=-1'), QUERYABLE)).message).toContain('offset must be a non-negative integer');
    expect(refused(() => parseListQuery(new URLSearchParams('limit=ten'), QUERYABLE)).message).toContain('limit must be a non-negative integer');
  });
});

describe('TMF630 responses', () => {
  it('keeps id, href and @type whatever the selection; none keeps only them', () => {
    const resource = { id: '1', href: 'h', '@type': 'Service', state: 'active', name: 'n' };
    expect(selectFields(resource, parseFields('none'))).toEqual({ id: '1', href: 'h', '@type': 'Service' });
    expect(selectFields(resource, parseFields('name'))).toEqual({ id: '1', href: 'h', '@type': 'Service', name: 'n' });
    expect(selectFields(resource, parseFields(undefined))).toBe(resource);
  });

  it('answers 206 for a page that is not everything, with both counts', () => {
    expect(pageHeaders(3, 3, 0)).toEqual({ status: 200, headers: { 'X-Total-Count': '3', 'X-Result-Count': '3' } });
    expect(pageHeaders(3, 1, 0).status).toBe(206);
    expect(pageHeaders(3, 1, 2).status).toBe(206);
    expect(pageHeaders(0, 0, 0).status).toBe(200);
  });
});
