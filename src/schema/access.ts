import { Role } from '#generated/prisma/enums.ts';
import type { Prisma } from '#generated/prisma/client.ts';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { createApiKey, isUsable, MAX_ROTATION_OVERLAP_SECONDS, revokeApiKey, rotateApiKey, type IssuedKey } from '../domain/access/api-keys.ts';
import { createPartner, setProductGrant } from '../domain/access/partners.ts';
import { registerTrustedDocuments, type DocumentCheck } from '../domain/access/trusted-documents.ts';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from './builder.ts';
import { ProductRef } from './products.ts';
import { errorTypes, expectType, nodeIdOf } from './errors.ts';

export const RoleEnum = builder.enumType(Role, {
  name: 'Role',
  description:
    'ADMIN: everything, including keys, partners, trusted documents, retention and the audit log. OPERATOR: products, inventory, services and runs. PARTNER: its own services and their runs, on the products granted to it, with registered documents only. VIEWER: read-only, no logs.',
});

const KeyStatusEnum = builder.enumType('ApiKeyStatus', { values: ['ACTIVE', 'EXPIRED', 'REVOKED'] as const });

/** node(id) of an admin-only type: found for admins, for everyone else it does not exist. */
export const adminOnlyNode = (id: string, ctx: { viewer: { role: string } }) => ({ id, AND: [ctx.viewer.role === 'ADMIN' ? {} : { id: { in: [] } }] });

export const PartnerRef = builder.prismaNode('Partner', {
  id: { field: 'id' },
  findUnique: adminOnlyNode,
  nullable: true,
  description: 'A company integrating through the API. Admin only.',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    rateLimitPerMinute: t.exposeInt('rateLimitPerMinute', { nullable: true, description: 'Requests per minute per key; null: the server default.' }),
    products: t.field({
      type: [ProductRef],
      description: 'Products granted to the partner.',
      select: { products: { select: { product: true } } },
      resolve: (partner) => partner.products.map((grant) => grant.product),
    }),
    trustedDocuments: t.relatedConnection('trustedDocuments', { cursor: 'partnerId_hash', totalCount: true, query: { orderBy: { createdAt: 'asc' } } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObject('TrustedDocument', {
  description: 'A document a partner\'s keys may run.',
  fields: (t) => ({
    hash: t.exposeString('hash', { description: '"sha256:<hex>": what a client sends as documentId.' }),
    operationName: t.exposeString('operationName', { nullable: true }),
    document: t.exposeString('document'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const ApiKeyRef = builder.prismaNode('ApiKey', {
  id: { field: 'id' },
  findUnique: adminOnlyNode,
  nullable: true,
  description: 'An API key. The key itself is shown once, when created; only its hash is stored.',
  fields: (t) => ({
    name: t.exposeString('name'),
    role: t.expose('role', { type: RoleEnum }),
    partner: t.relation('partner', { nullable: true }),
    prefix: t.exposeString('prefix', { description: 'The key\'s first characters, to recognise it.' }),
    status: t.field({
      type: KeyStatusEnum,
      select: { revokedAt: true, expiresAt: true },
      resolve: (key) => (key.revokedAt ? 'REVOKED' : isUsable(key) ? 'ACTIVE' : 'EXPIRED'),
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Updated at most once a minute.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    rotatedFrom: t.relation('rotatedFrom', { nullable: true, description: 'The key this one replaced.' }),
    createdBy: t.exposeString('createdBy', { description: 'Name of the key that created it, or bootstrap / environment.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const AuditEntryRef = builder.prismaObject('AuditEntry', {
  description: 'One mutation: who called it, with which arguments (secrets masked), when, and how it ended.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    keyId: t.id({ nullable: true, description: 'Global id of the key (it may since have been revoked).', resolve: (entry) => (entry.keyId ? encodeGlobalID('ApiKey', entry.keyId) : null) }),
    keyName: t.exposeString('keyName'),
    role: t.expose('role', { type: RoleEnum }),
    partner: t.field({
      type: PartnerRef,
      nullable: true,
      resolve: (entry, _args, ctx) => (entry.partnerId ? ctx.prisma.partner.findUnique({ where: { id: entry.partnerId } }) : null),
    }),
    operation: t.exposeString('operation', { description: 'The mutation, e.g. provisionService.' }),
    operationName: t.exposeString('operationName', { nullable: true }),
    arguments: t.field({ type: 'JSONObject', resolve: (entry) => entry.arguments as Record<string, unknown> }),
    resultType: t.exposeString('resultType', { description: 'The result\'s type (e.g. ProvisionServiceSuccess, ValidationError, ForbiddenError) or ERROR.' }),
    resultId: t.exposeString('resultId', { nullable: true, description: 'Database id of what was created or changed.' }),
  }),
});
void AuditEntryRef;

const ViewerRef = builder.objectRef<{ keyId: string; keyName: string; role: Role; partnerId: string | null; rateLimitPerMinute: number | null; expiresAt: Date | null }>('Viewer').implement({
  description: 'The key this request is made with.',
  fields: (t) => ({
    keyName: t.exposeString('keyName'),
    role: t.expose('role', { type: RoleEnum }),
    partner: t.field({
      type: PartnerRef,
      nullable: true,
      resolve: (viewer, _args, ctx) => (viewer.partnerId ? ctx.prisma.partner.findUnique({ where: { id: viewer.partnerId } }) : null),
    }),
    rateLimitPerMinute: t.exposeInt('rateLimitPerMinute', { nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
  }),
});

const AuditFilter = builder.inputType('AuditFilter', {
  fields: (t) => ({
    operation: t.string(),
    role: t.field({ type: RoleEnum }),
    keyId: t.globalID(),
    partnerId: t.globalID(),
    resultType: t.string(),
    since: t.field({ type: 'DateTime' }),
    until: t.field({ type: 'DateTime' }),
  }),
});

type AuditFilterValue = {
  operation?: string | null;
  role?: Role | null;
  keyId?: { typename: string; id: string } | null;
  partnerId?: { typename: string; id: string } | null;
  resultType?: string | null;
  since?: Date | null;
  until?: Date | null;
};

function auditWhere(filter: AuditFilterValue | null | undefined): Prisma.AuditEntryWhereInput {
  return {
    ...(filter?.operation ? { operation: filter.operation } : {}),
    ...(filter?.role ? { role: filter.role } : {}),
    ...(filter?.keyId ? { keyId: nodeIdOf(filter.keyId, 'ApiKey') ?? { in: [] } } : {}),
    ...(filter?.partnerId ? { partnerId: nodeIdOf(filter.partnerId, 'Partner') ?? { in: [] } } : {}),
    ...(filter?.resultType ? { resultType: filter.resultType } : {}),
    ...(filter?.since || filter?.until ? { at: { ...(filter.since ? { gte: filter.since } : {}), ...(filter.until ? { lt: filter.until } : {}) } } : {}),
  };
}

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    description: 'Who this request is made as.',
    authScopes: { staff: true, partner: true },
    resolve: (_parent, _args, ctx) => ctx.viewer,
  }),
  apiKeys: t.prismaConnection({
    type: 'ApiKey',
    cursor: 'id',
    description: 'Every key, newest first. Admin only.',
    authScopes: { admin: true },
    args: { includeInactive: t.arg.boolean({ defaultValue: false, description: 'Also revoked and expired keys.' }) },
    totalCount: (_parent, args, ctx) => ctx.prisma.apiKey.count({ where: keyWhere(args.includeInactive) }),
    resolve: (query, _parent, args, ctx) => ctx.prisma.apiKey.findMany({ ...query, where: keyWhere(args.includeInactive), orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] }),
  }),
  partners: t.prismaConnection({
    type: 'Partner',
    cursor: 'id',
    description: 'Admin only.',
    authScopes: { admin: true },
    totalCount: (_parent, _args, ctx) => ctx.prisma.partner.count(),
    resolve: (query, _parent, _args, ctx) => ctx.prisma.partner.findMany({ ...query, orderBy: [{ slug: 'asc' }] }),
  }),
  auditLog: t.prismaConnection({
    type: 'AuditEntry',
    cursor: 'id',
    description: 'Every mutation, newest first. Admin only.',
    authScopes: { admin: true },
    args: { filter: t.arg({ type: AuditFilter }) },
    totalCount: (_parent, args, ctx) => ctx.prisma.auditEntry.count({ where: auditWhere(args.filter) }),
    resolve: (query, _parent, args, ctx) =>
      ctx.prisma.auditEntry.findMany({ ...query, where: auditWhere(args.filter), orderBy: [{ at: 'desc' }, { id: 'desc' }] }),
  }),
}));

function keyWhere(includeInactive: boolean | null | undefined): Prisma.ApiKeyWhereInput {
  return includeInactive ? {} : { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] };
}

const IssuedApiKeyRef = builder.objectRef<IssuedKey>('IssuedApiKey').implement({
  description: 'A new key. `key` is shown this once: store it now; Provisio keeps only its hash.',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, resolve: (issued) => issued.apiKey }),
    key: t.exposeString('key', { description: 'Send it as "Authorization: Bearer <key>".' }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'What the key is for, e.g. "acme portal (production)".' }),
    role: t.field({ type: RoleEnum, required: true }),
    partnerId: t.globalID({ description: 'Required for PARTNER keys, refused for the others.' }),
    expiresAt: t.field({ type: 'DateTime' }),
  }),
});

const CreatePartnerInput = builder.inputType('CreatePartnerInput', {
  fields: (t) => ({
    slug: t.string({ required: true }),
    name: t.string({ required: true }),
    rateLimitPerMinute: t.int({ description: 'Requests per minute per key; default: PROVISIO_PARTNER_RATE_LIMIT_PER_MINUTE.' }),
  }),
});

const adminOnly = { authScopes: { admin: true } } as const;
const createdBy = (ctx: { viewer: { keyName: string } }) => ctx.viewer.keyName;

type MutationFieldBuilder = Parameters<Parameters<typeof builder.mutationFields>[0]>[0];

/** grantProducts and revokeProducts: the same field, granting or withdrawing. */
function productGrantField(t: MutationFieldBuilder, granted: boolean, description: string) {
  return t.field({
    ...adminOnly,
    type: PartnerRef,
    description,
    args: { partnerId: t.arg.globalID({ required: true }), productIds: t.arg.globalIDList({ required: true }) },
    errors: { types: errorTypes(NotFoundError, ValidationError), dataField: { name: 'partner' } },
    resolve: (_parent, args, ctx) =>
      setProductGrant(ctx.prisma, expectType(args.partnerId, 'Partner'), args.productIds.map((id) => expectType(id, 'Product')), granted),
  });
}

builder.mutationFields((t) => ({
  createApiKey: t.field({
    ...adminOnly,
    type: IssuedApiKeyRef,
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    errors: { types: errorTypes(ValidationError, NotFoundError), dataField: { name: 'issued' } },
    resolve: (_parent, { input }, ctx) =>
      createApiKey(ctx, createdBy(ctx), { ...input, partnerId: input.partnerId ? expectType(input.partnerId, 'Partner') : null }),
  }),
  rotateApiKey: t.field({
    ...adminOnly,
    type: IssuedApiKeyRef,
    description: 'Issues a successor with the same name, role and partner; the old key keeps working for `overlapSeconds` (0: it stops now).',
    args: {
      id: t.arg.globalID({ required: true }),
      overlapSeconds: t.arg.int({ defaultValue: 0, description: `At most ${MAX_ROTATION_OVERLAP_SECONDS} (30 days).` }),
    },
    errors: { types: errorTypes(ValidationError, NotFoundError), dataField: { name: 'issued' } },
    resolve: (_parent, { id, overlapSeconds }, ctx) => rotateApiKey(ctx, createdBy(ctx), expectType(id, 'ApiKey'), overlapSeconds ?? 0),
  }),
  revokeApiKey: t.field({
    ...adminOnly,
    type: ApiKeyRef,
    description: 'The key stops working at once; its open subscriptions end.',
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: errorTypes(NotFoundError, ValidationError), dataField: { name: 'apiKey' } },
    resolve: (_parent, { id }, ctx) => revokeApiKey(ctx, expectType(id, 'ApiKey')),
  }),
  createPartner: t.field({
    ...adminOnly,
    type: PartnerRef,
    args: { input: t.arg({ type: CreatePartnerInput, required: true }) },
    errors: { types: errorTypes(ValidationError, ConflictError), dataField: { name: 'partner' } },
    resolve: (_parent, { input }, ctx) => createPartner(ctx.prisma, input),
  }),
  grantProducts: productGrantField(t, true, 'The partner\'s keys may see and provision these products.'),
  revokeProducts: productGrantField(t, false, 'Withdraws grants; the partner\'s existing services stay its own.'),
  registerTrustedDocuments: t.field({
    ...adminOnly,
    type: 'Int',
    description:
      'Registers a partner\'s persisted documents manifest (GraphQL Code Generator client preset, `persistedDocuments: true`): a JSON object of "sha256:<hex>" to document. All or nothing; returns how many were new.',
    args: { partnerId: t.arg.globalID({ required: true }), manifest: t.arg({ type: 'JSONObject', required: true }) },
    errors: { types: errorTypes(ValidationError, NotFoundError), dataField: { name: 'registered' } },
    resolve: (_parent, args, ctx, info) =>
      registerTrustedDocuments(ctx.prisma, expectType(args.partnerId, 'Partner'), args.manifest, (document) => checkDocument(info.schema, document)),
  }),
  removeTrustedDocuments: t.field({
    ...adminOnly,
    type: 'Int',
    description: 'Removes the listed documents of a partner (all of them when `hashes` is left out); returns how many were removed.',
    args: { partnerId: t.arg.globalID({ required: true }), hashes: t.arg.stringList() },
    errors: { types: errorTypes(ValidationError), dataField: { name: 'removed' } },
    resolve: (_parent, args, ctx) => ctx.trustedDocuments.remove(expectType(args.partnerId, 'Partner'), args.hashes ?? null),
  }),
}));

/** A registered document must run against this schema: it parses, validates, and names one operation. */
function checkDocument(schema: GraphQLSchema, document: string): DocumentCheck {
  try {
    const ast = parse(document);
    const errors = validate(schema, ast);
    if (errors.length) return { error: errors.map((error) => error.message).join('; ') };
    const operations = ast.definitions.filter((definition) => definition.kind === 'OperationDefinition');
    if (operations.length !== 1) return { error: 'a document holds exactly one operation' };
    return { operationName: operations[0]!.name?.value ?? null };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
