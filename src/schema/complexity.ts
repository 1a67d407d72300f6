import { getNamedType, isListType, isNonNullType, type GraphQLField, type GraphQLOutputType } from 'graphql';
import type { FieldComplexityValue } from '@pothos/plugin-complexity';

/** Connections return at most this many nodes per page, whatever `first` or `last` asks. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
/** A plain list (a service's items, a run's compensations) is short; count it as this many. */
const LIST_MULTIPLIER = 10;

const isList = (type: GraphQLOutputType): boolean => isListType(isNonNullType(type) ? type.ofType : type);

/**
 * A field costs 1, and what is selected under it counts once per item it can return: a
 * connection's page size (its `first` or `last`, capped), a list's usual length, `nodes(ids:)`'s
 * ids. A connection's `edges` and `nodes` do not multiply again: the page size already did.
 */
export function fieldComplexity<Context>(args: Record<string, unknown>, _ctx: Context, field: GraphQLField<unknown, Context>): FieldComplexityValue {
  const namedType = getNamedType(field.type).name;
  if (namedType.endsWith('Connection')) {
    const requested = typeof args['first'] === 'number' ? args['first'] : typeof args['last'] === 'number' ? args['last'] : DEFAULT_PAGE_SIZE;
    return { field: 1, multiplier: Math.min(Math.max(requested, 0), MAX_PAGE_SIZE) };
  }
  if (Array.isArray(args['ids'])) return { field: 1, multiplier: args['ids'].length };
  if ((field.name === 'edges' || field.name === 'nodes') && field.args.length === 0) return { field: 1, multiplier: 1 };
  return isList(field.type) ? { field: 1, multiplier: LIST_MULTIPLIER } : 1;
}
