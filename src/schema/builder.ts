import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import TracingPlugin, { isRootField } from '@pothos/plugin-tracing';
import type PrismaTypes from '#generated/pothos-types.ts';
import { getDatamodel } from '#generated/pothos-types.ts';
import { isProduction } from '../config.ts';
import { ForbiddenError } from '../domain/errors.ts';
import { auditMutation } from './audit-trail.ts';
import { decodeGlobalId } from './global-id.ts';
import { fieldComplexity, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from './complexity.ts';
import { isStaff } from '../domain/access/viewer.ts';
import type { RequestContext } from './context.ts';
import { JSONObjectScalar, JSONScalar } from './json.ts';
import { DateTimeResolver } from 'graphql-scalars';

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

export const builder = new SchemaBuilder<{
  PrismaTypes: PrismaTypes;
  Context: RequestContext;
  DefaultFieldNullability: false;
  AuthScopes: {
    /** Keys, partners, trusted documents, retention, the audit log. */
    admin: boolean;
    /** Changes products, inventory, services and runs: admins and operators. */
    operator: boolean;
    /** Reads everything (without secrets): admins, operators and viewers. */
    staff: boolean;
    /** A partner key: acts on its own services and granted products only (rows are filtered in the domain). */
    partner: boolean;
  };
  Scalars: {
    ID: { Input: string; Output: string | number };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
}>({
  // Order is wrapping order, outermost first: the audit trail sees every outcome, typed errors
  // include authorisation failures, and authorisation runs before any other plugin's work.
  plugins: [TracingPlugin, ErrorsPlugin, ScopeAuthPlugin, RelayPlugin, PrismaPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesOnConnection: true,
    decodeGlobalID: decodeGlobalId,
    // Every role may look objects up by id; each type's findUnique hides what a caller may not see.
    // A raw UUID names no type, so node() cannot find it: null, as for any id that names nothing.
    nodeQueryOptions: {
      authScopes: { staff: true, partner: true },
      resolve: (_root, args, _ctx, _info, resolveNode) => (args.id.typename ? resolveNode(args.id) : null),
    },
    nodesQueryOptions: {
      authScopes: { staff: true, partner: true },
      resolve: async (_root, args, _ctx, _info, resolveNodes) => {
        const found = [...(await resolveNodes(args.ids.filter((id) => id.typename)))];
        return args.ids.map((id) => (id.typename ? found.shift() : null));
      },
    },
  },
  errors: {
    defaultUnionOptions: { name: ({ fieldName }) => `${pascal(fieldName)}Result` },
    defaultResultOptions: { name: ({ fieldName }) => `${pascal(fieldName)}Success` },
    // Garbled ids and over-deep JSON in arguments come back as a typed ValidationError too.
    unsafelyHandleInputErrors: true,
  },
  scopeAuth: {
    // Subscriptions are checked when they start, not only when their first event resolves.
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      admin: context.viewer.role === 'ADMIN',
      operator: context.viewer.role === 'ADMIN' || context.viewer.role === 'OPERATOR',
      staff: isStaff(context.viewer),
      partner: context.viewer.role === 'PARTNER',
    }),
    unauthorizedError: (_parent, context, info) =>
      new ForbiddenError(`a ${context.viewer.role} key may not use ${info.parentType.name}.${info.fieldName}`, context.viewer.role),
  },
  tracing: {
    default: (config) => isRootField(config) && config.parentType === 'Mutation',
    wrap: (resolver, _options, config) => auditMutation(resolver, config.name),
  },
  complexity: {
    fieldComplexity,
    // Enforced per operation before execution by the transport (see server/limits.ts), so that
    // subscriptions are measured too; the plugin only supplies each field's cost.
    disabled: true,
  },
  prisma: {
    // One schema serves many app instances (tests run several): the client comes from the context.
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    maxConnectionSize: MAX_PAGE_SIZE,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    // The builder is configured when this module loads, before loadConfig: NODE_ENV through config.ts's helper.
    onUnusedQuery: isProduction() ? null : 'warn',
  },
});

/** What an input type's `fields` gets: for field sets shared by several input types. */
export type InputFieldBuilder = Parameters<NonNullable<Parameters<typeof builder.inputType>[1]['fields']>>[0];

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONScalar);
builder.addScalarType('JSONObject', JSONObjectScalar);
