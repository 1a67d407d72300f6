import { GraphQLError, GraphQLScalarType, Kind, type GraphQLScalarTypeConfig, type ValueNode } from 'graphql';
import { JSONObjectResolver, JSONResolver } from 'graphql-scalars';

/** Deeper than any product schema or variables need, far shallower than what overflows a stack. */
export const MAX_JSON_DEPTH = 32;

/** Depth of a JSON value (or a GraphQL literal), walked without recursion so any depth is safe to measure. */
function depthExceeds(root: unknown, max: number, children: (node: unknown) => unknown[]): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    const kids = children(node);
    if (kids.length && depth >= max) return true;
    for (const kid of kids) stack.push([kid, depth + 1]);
  }
  return false;
}

const jsonChildren = (node: unknown): unknown[] =>
  typeof node === 'object' && node !== null ? (Array.isArray(node) ? node : Object.values(node)) : [];

const literalChildren = (node: unknown): unknown[] => {
  const value = node as ValueNode;
  if (value.kind === Kind.OBJECT) return value.fields.map((field) => field.value);
  if (value.kind === Kind.LIST) return [...value.values];
  return [];
};

function tooDeep(): GraphQLError {
  return new GraphQLError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels is not accepted`, { extensions: { code: 'BAD_USER_INPUT' } });
}

/**
 * A graphql-scalars JSON type that refuses over-deep input before anything recurses into it.
 * graphql 17 coerces through coerceInputValue, older callers through parseValue: both are guarded.
 */
function depthLimited(scalar: GraphQLScalarType): GraphQLScalarType {
  const config: GraphQLScalarTypeConfig<unknown, unknown> = scalar.toConfig();
  const guardValue = <A extends unknown[]>(coerce: ((value: unknown, ...rest: A) => unknown) | undefined) =>
    coerce &&
    ((value: unknown, ...rest: A) => {
      if (depthExceeds(value, MAX_JSON_DEPTH, jsonChildren)) throw tooDeep();
      return coerce(value, ...rest);
    });
  const guardLiteral = <N extends ValueNode, A extends unknown[]>(coerce: ((ast: N, ...rest: A) => unknown) | undefined) =>
    coerce &&
    ((ast: N, ...rest: A) => {
      if (depthExceeds(ast, MAX_JSON_DEPTH, literalChildren)) throw tooDeep();
      return coerce(ast, ...rest);
    });
  return new GraphQLScalarType({
    ...config,
    parseValue: guardValue(config.parseValue),
    coerceInputValue: guardValue(config.coerceInputValue),
    parseLiteral: guardLiteral(config.parseLiteral),
    coerceInputLiteral: guardLiteral(config.coerceInputLiteral),
  } as GraphQLScalarTypeConfig<unknown, unknown>);
}

export const JSONScalar = depthLimited(JSONResolver);
export const JSONObjectScalar = depthLimited(JSONObjectResolver);
