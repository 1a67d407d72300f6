import { errorTypeMap } from '@pothos/plugin-errors';
import type { GraphQLFieldResolver } from 'graphql';
import { recordAudit } from '../domain/access/audit.ts';
import { DomainError } from '../domain/errors.ts';
import type { RequestContext } from './context.ts';

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * Wraps a mutation so that every call leaves an audit entry: who, what (secrets masked), when and
 * how it ended (the union member's type, or ERROR). The entry is written before the answer goes out.
 */
export function auditMutation(resolver: GraphQLFieldResolver<unknown, RequestContext>, field: string): GraphQLFieldResolver<unknown, RequestContext> {
  return async (source, args, context, info) => {
    let resultType = 'ERROR';
    let resultId: string | null = null;
    try {
      const result: unknown = await resolver(source, args, context, info);
      // The errors plugin hands typed errors on wrapped in a proxy it keeps track of.
      if (result instanceof DomainError || (typeof result === 'object' && result !== null && errorTypeMap.has(result))) resultType = (result as Error).name;
      else {
        resultType = `${pascal(field)}Success`;
        resultId = idOf(result);
      }
      return result;
    } finally {
      await recordAudit(context.prisma, {
        viewer: context.viewer,
        operation: field,
        operationName: info.operation.name?.value ?? null,
        arguments: plain(args),
        resultType,
        resultId,
      }).catch((error: unknown) => context.logger.error({ err: error, operation: field }, 'could not write the audit entry'));
    }
  };
}

/** The id of what a mutation created or changed: the object itself, or the run it started. */
function idOf(result: unknown): string | null {
  if (typeof result !== 'object' || result === null) return null;
  const record = result as { id?: unknown; run?: { id?: unknown }; apiKey?: { id?: unknown } };
  const id = record.id ?? record.run?.id ?? record.apiKey?.id;
  return typeof id === 'string' ? id : null;
}

/** Arguments as JSON: decoded global ids become "Type:uuid" (":uuid" when given raw), dates ISO strings. */
function plain(args: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(args, (_key, value: unknown) => {
      const id = value as { typename?: unknown; id?: unknown } | null;
      if (id && typeof id === 'object' && typeof id.typename === 'string' && typeof id.id === 'string' && Object.keys(id).length === 2) {
        return `${id.typename}:${id.id}`;
      }
      return value;
    }),
  ) as Record<string, unknown>;
}
