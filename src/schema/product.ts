import { InventoryKind } from '#generated/prisma/enums.ts';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { archiveProduct, createProduct, productDefinition, updateProduct, type InventoryRequirement, type ProductPatch } from '../domain/products.ts';
import { maskSecretDefaults, maskSecretVariables, secretVariableNames, type VariableSchema } from '../domain/variables.ts';
import { builder } from './builder.ts';
import { expectType } from './errors.ts';

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

export const ProductRef = builder.prismaNode('Product', {
  id: { field: 'id' },
  description: 'Something an operator sells, provisioned by its playbooks.',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    provisionPlaybook: t.exposeString('provisionPlaybook', { description: 'File under the playbooks directory.' }),
    deprovisionPlaybook: t.exposeString('deprovisionPlaybook'),
    defaultVariables: t.field({
      type: 'JSONObject',
      description: 'Default playbook variables; secret ones read as "********".',
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
    archived: t.boolean({ select: { archivedAt: true }, resolve: (product) => product.archivedAt !== null }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    services: t.relatedConnection('services', { cursor: 'id', totalCount: true, query: { orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] } }),
  }),
});

builder.queryFields((t) => ({
  products: t.prismaConnection({
    type: 'Product',
    cursor: 'id',
    totalCount: (_parent, args, ctx) => ctx.prisma.product.count({ where: args.includeArchived ? {} : { archivedAt: null } }),
    args: { includeArchived: t.arg.boolean({ defaultValue: false }) },
    resolve: (query, _parent, args, ctx) =>
      ctx.prisma.product.findMany({
        ...query,
        where: args.includeArchived ? {} : { archivedAt: null },
        orderBy: [{ slug: 'asc' }],
      }),
  }),
  product: t.prismaField({
    type: 'Product',
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: (query, _parent, args, ctx) => ctx.prisma.product.findUnique({ ...query, where: { slug: args.slug } }),
  }),
}));

const InventoryRequirementInput = builder.inputType('InventoryRequirementInput', {
  fields: (t) => ({
    kind: t.field({ type: InventoryKindEnum, required: true }),
    count: t.int({ defaultValue: 1 }),
    match: t.field({ type: 'JSONObject', description: 'Attribute values a reserved item must have.' }),
  }),
});

const CreateProductInput = builder.inputType('CreateProductInput', {
  fields: (t) => ({
    slug: t.string({ required: true }),
    name: t.string({ required: true }),
    description: t.string(),
    provisionPlaybook: t.string({ required: true, description: 'Name from the playbooks query.' }),
    deprovisionPlaybook: t.string({ required: true }),
    defaultVariables: t.field({ type: 'JSONObject' }),
    variableSchema: t.field({ type: 'JSONObject' }),
    inventoryRequirements: t.field({ type: [InventoryRequirementInput] }),
    runTimeoutSeconds: t.int(),
    maxConcurrentRuns: t.int(),
  }),
});

const UpdateProductInput = builder.inputType('UpdateProductInput', {
  description: 'Fields left out keep their value; the resulting product is validated as a whole.',
  fields: (t) => ({
    slug: t.string(),
    name: t.string(),
    description: t.string(),
    provisionPlaybook: t.string(),
    deprovisionPlaybook: t.string(),
    defaultVariables: t.field({ type: 'JSONObject' }),
    variableSchema: t.field({ type: 'JSONObject' }),
    inventoryRequirements: t.field({ type: [InventoryRequirementInput] }),
    runTimeoutSeconds: t.int(),
    maxConcurrentRuns: t.int(),
  }),
});

builder.mutationFields((t) => ({
  createProduct: t.field({
    type: ProductRef,
    args: { input: t.arg({ type: CreateProductInput, required: true }) },
    errors: { types: [ValidationError, ConflictError], dataField: { name: 'product' } },
    resolve: (_parent, { input }, ctx) => createProduct(ctx, input),
  }),
  updateProduct: t.field({
    type: ProductRef,
    args: { id: t.arg.globalID({ required: true }), input: t.arg({ type: UpdateProductInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, NotFoundError], dataField: { name: 'product' } },
    resolve: (_parent, { id, input }, ctx) => updateProduct(ctx, expectType(id, 'Product'), withoutNulls(input)),
  }),
  archiveProduct: t.field({
    type: ProductRef,
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: [NotFoundError], dataField: { name: 'product' } },
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
