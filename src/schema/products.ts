import { InventoryKind } from '#generated/prisma/enums.ts';
import { visibleProducts, visibleServices } from '../domain/access/viewer.ts';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { archiveProduct, auditTimes, createProduct, productDefinition, storedSchedule, updateProduct, type ProductPatch, maskSecretDefaults, maskSecretVariables, secretVariableNames, type SyncSchedule, type VariableSchema } from '../domain/catalog/index.ts';
import type { InventoryRequirement } from '../domain/inventory/index.ts';
import { builder, type InputFieldBuilder } from './builder.ts';
import { errorTypes, expectType } from './errors.ts';

export const InventoryKindEnum = builder.enumType(InventoryKind, {
  name: 'InventoryKind',
  description: 'The kind of an inventory item; each kind validates its identifier its own way.',
});

const InventoryRequirementRef = builder.objectRef<InventoryRequirement>('InventoryRequirement').implement({
  description: 'Inventory a provision of the product reserves.',
  fields: (t) => ({
    kind: t.field({ type: InventoryKindEnum, resolve: (req) => req.kind }),
    count: t.exposeInt('count'),
    match: t.field({ type: 'JSONObject', description: 'Attribute values a reserved item must have.', resolve: (req) => req.match }),
  }),
});

const SyncCheckScheduleRef = builder.objectRef<SyncSchedule & { nextAt: Date | null }>('SyncCheckSchedule').implement({
  description: 'A product\'s sync audit: a cron expression (minute hour day month weekday, or seconds first) in an IANA time zone.',
  fields: (t) => ({
    cron: t.exposeString('cron'),
    timeZone: t.exposeString('timeZone'),
    nextAt: t.expose('nextAt', { type: 'DateTime', nullable: true, description: 'The next audit; null for an archived product.' }),
  }),
});

const SyncCheckScheduleInput = builder.inputType('SyncCheckScheduleInput', {
  fields: (t) => ({
    cron: t.string({ required: true, description: 'e.g. "0 3 * * *": every day at 03:00 in timeZone. Audits at least PROVISIO_MIN_AUDIT_INTERVAL_SECONDS apart.' }),
    timeZone: t.string({ description: 'IANA time zone; default UTC.' }),
  }),
});

export const ProductRef = builder.prismaNode('Product', {
  id: { field: 'id' },
  // node(id) finds only products the caller may see (a partner's granted ones).
  findUnique: (id, ctx) => ({ id, AND: [visibleProducts(ctx.viewer)] }),
  nullable: true,
  description: 'Something an operator sells, provisioned by its playbooks.',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    // How a product is built (playbooks, internal defaults) is the operator's business, not a partner's.
    provisionPlaybook: t.exposeString('provisionPlaybook', { description: 'File under the playbooks directory. Staff only.', authScopes: { staff: true } }),
    deprovisionPlaybook: t.exposeString('deprovisionPlaybook', { description: 'Staff only.', authScopes: { staff: true } }),
    defaultVariables: t.field({
      type: 'JSONObject',
      authScopes: { staff: true },
      description: 'Default playbook variables; secret ones read as "********". Staff only.',
      select: { defaultVariables: true, variableSchema: true },
      resolve: (product) => {
        const { variableSchema, defaultVariables } = productDefinition(product as Parameters<typeof productDefinition>[0]);
        return maskSecretVariables(variableSchema, defaultVariables);
      },
    }),
    variableSchema: t.field({
      type: 'JSONObject',
      description: 'JSON Schema subset that request variables are validated against (`secret: true` marks secret variables; their defaults read as "********").',
      resolve: (product) => maskSecretDefaults(product.variableSchema as unknown as VariableSchema) as unknown as Record<string, unknown>,
    }),
    secretVariables: t.stringList({
      description: 'Names of the variables marked secret.',
      select: { variableSchema: true },
      resolve: (product) => secretVariableNames(productDefinition(product as Parameters<typeof productDefinition>[0]).variableSchema),
    }),
    inventoryRequirements: t.field({
      type: [InventoryRequirementRef],
      resolve: (product) => product.inventoryRequirements as unknown as InventoryRequirement[],
    }),
    runTimeoutSeconds: t.exposeInt('runTimeoutSeconds', { nullable: true, description: 'Null means the server default.' }),
    maxConcurrentRuns: t.exposeInt('maxConcurrentRuns', { nullable: true }),
    syncCheckSchedule: t.field({
      type: SyncCheckScheduleRef,
      nullable: true,
      authScopes: { staff: true },
      description: 'When its ACTIVE services are checked against the network by themselves (a bulk sync check); null: never. Staff only.',
      select: { syncCheckCron: true, syncCheckTimeZone: true, archivedAt: true },
      resolve: (product) => {
        const schedule = storedSchedule(product);
        return schedule && { ...schedule, nextAt: product.archivedAt ? null : (auditTimes(schedule, new Date(), 1)[0] ?? null) };
      },
    }),
    version: t.exposeInt('version', { description: 'Changes with every update; send it back as updateProduct\'s expectedVersion to refuse a lost update.' }),
    archived: t.boolean({ select: { archivedAt: true }, resolve: (product) => product.archivedAt !== null }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    services: t.relatedConnection('services', {
      cursor: 'id',
      totalCount: true,
      description: 'Services of this product; a partner sees only its own.',
      query: (_args, ctx) => ({ where: visibleServices(ctx.viewer), orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] }),
    }),
  }),
});

builder.queryFields((t) => ({
  products: t.prismaConnection({
    type: 'Product',
    cursor: 'id',
    description: 'Products by slug; a partner sees only those granted to it.',
    authScopes: { staff: true, partner: true },
    totalCount: (_parent, args, ctx) => ctx.prisma.product.count({ where: productWhere(ctx, args.includeArchived) }),
    args: { includeArchived: t.arg.boolean({ defaultValue: false }) },
    resolve: (query, _parent, args, ctx) =>
      ctx.prisma.product.findMany({ ...query, where: productWhere(ctx, args.includeArchived), orderBy: [{ slug: 'asc' }] }),
  }),
  product: t.prismaField({
    type: 'Product',
    nullable: true,
    authScopes: { staff: true, partner: true },
    args: { slug: t.arg.string({ required: true }) },
    resolve: (query, _parent, args, ctx) => ctx.prisma.product.findFirst({ ...query, where: { slug: args.slug, ...visibleProducts(ctx.viewer) } }),
  }),
}));

const InventoryRequirementInput = builder.inputType('InventoryRequirementInput', {
  fields: (t) => ({
    kind: t.field({ type: InventoryKindEnum, required: true }),
    count: t.int({ defaultValue: 1 }),
    match: t.field({ type: 'JSONObject', description: 'Attribute values a reserved item must have.' }),
  }),
});

/** The fields a product may leave out, alike in a create and an update. */
const optionalProductFields = (t: InputFieldBuilder) => ({
  description: t.string(),
  defaultVariables: t.field({ type: 'JSONObject' }),
  variableSchema: t.field({ type: 'JSONObject' }),
  inventoryRequirements: t.field({ type: [InventoryRequirementInput] }),
  runTimeoutSeconds: t.int(),
  maxConcurrentRuns: t.int(),
  target: t.string({ description: 'Name of the target its playbooks run against; null: localhost.' }),
  targetHosts: t.string({ description: 'Host pattern within the target (Ansible\'s --limit).' }),
  checkReachability: t.boolean({ description: 'Ping the target\'s hosts before a provision reserves anything.' }),
  poolAlertBelow: t.int({ description: 'Raise POOL_LOW (webhooks, and Product.pool.low) when the pool can provision fewer services than this.' }),
  syncCheckSchedule: t.field({ type: SyncCheckScheduleInput, description: 'Check its ACTIVE services against the network at these times (a bulk sync check; SERVICE_DRIFTED for each newly drifted one); null: never.' }),
  credentials: t.stringList({ description: 'Names of the credentials its runs get (at most one SSH key).' }),
  actions: t.field({
    type: ['JSONObject'],
    description: 'What can be done to its services: [{ name, description, playbook, variableSchema, from: [states], to, partners, inventory: { reserve: [{ kind, count, match }], release: [{ kind, variable, addedOnly }] } }].',
  }),
});

const CreateProductInput = builder.inputType('CreateProductInput', {
  fields: (t) => ({
    slug: t.string({ required: true }),
    name: t.string({ required: true }),
    provisionPlaybook: t.string({ required: true, description: 'Name from the playbooks query.' }),
    deprovisionPlaybook: t.string({ required: true }),
    ...optionalProductFields(t),
  }),
});

const UpdateProductInput = builder.inputType('UpdateProductInput', {
  description: 'Fields left out keep their value; the resulting product is validated as a whole.',
  fields: (t) => ({
    slug: t.string(),
    name: t.string(),
    provisionPlaybook: t.string(),
    deprovisionPlaybook: t.string(),
    ...optionalProductFields(t),
  }),
});

builder.mutationFields((t) => ({
  createProduct: t.field({
    type: ProductRef,
    authScopes: { operator: true },
    args: { input: t.arg({ type: CreateProductInput, required: true }) },
    errors: { types: errorTypes(ValidationError, ConflictError), dataField: { name: 'product' } },
    resolve: (_parent, { input }, ctx) => createProduct(ctx, input),
  }),
  updateProduct: t.field({
    type: ProductRef,
    authScopes: { operator: true },
    description: 'Sets the given fields; concurrent updates never lose each other\'s fields. With expectedVersion (the version you read), a product changed since is a ConflictError.',
    args: {
      id: t.arg.globalID({ required: true }),
      input: t.arg({ type: UpdateProductInput, required: true }),
      expectedVersion: t.arg.int(),
    },
    errors: { types: errorTypes(ValidationError, ConflictError, NotFoundError), dataField: { name: 'product' } },
    resolve: (_parent, { id, input, expectedVersion }, ctx) => updateProduct(ctx, expectType(id, 'Product'), withoutNulls(input), expectedVersion),
  }),
  archiveProduct: t.field({
    type: ProductRef,
    authScopes: { operator: true },
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: errorTypes(NotFoundError, ValidationError), dataField: { name: 'product' } },
    resolve: (_parent, { id }, ctx) => archiveProduct(ctx, expectType(id, 'Product')),
  }),
}));

const REQUIRED_PRODUCT_FIELDS = new Set(['slug', 'name', 'provisionPlaybook', 'deprovisionPlaybook']);

/** In an update, null clears an optional field; for a required field it means "leave as is". */
function withoutNulls(input: Record<string, unknown>): ProductPatch {
  return Object.fromEntries(
    Object.entries(input).filter(([name, value]) => !(value === null && REQUIRED_PRODUCT_FIELDS.has(name))),
  ) as ProductPatch;
}

function productWhere(ctx: { viewer: Parameters<typeof visibleProducts>[0] }, includeArchived: boolean | null | undefined) {
  return { AND: [includeArchived ? {} : { archivedAt: null }, visibleProducts(ctx.viewer)] };
}
