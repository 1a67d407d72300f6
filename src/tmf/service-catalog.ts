import { Hono } from 'hono';
import type { Prisma, Product } from '#generated/prisma/client.ts';
import { visibleProducts } from '../domain/access/viewer.ts';
import { productActions, productDefinition, type VariableSchema } from '../domain/catalog/index.ts';
import { dateComparison, equalityOnly, parseFields, selectFields, type Queryable } from './conventions.ts';
import { hrefOf, listResponse, type Origin, type TmfDeps, type TmfEnv } from './context.ts';
import { notFound } from './errors.ts';
import { isUuid } from './ids.ts';

// TMF633 Service Catalog Management v4: every product is a `ServiceSpecification`, generated
// from its definition (variables, actions, inventory), read-only (products change through the
// GraphQL API, by operators).

const SPEC_PATH = '/serviceCatalogManagement/v4/serviceSpecification';

/** A product's lifecycle in TMF633's words: an archived product takes no new orders. */
const lifecycleStatus = (product: Product) => (product.archivedAt ? 'Retired' : 'Active');

const SPECIFICATION_QUERY: Queryable<Prisma.ProductWhereInput, Prisma.ProductOrderByWithRelationInput> = {
  filters: {
    id: (filter) => ({ id: { in: equalityOnly(filter).filter(isUuid) } }),
    name: (filter) => ({ name: { in: equalityOnly(filter) } }),
    lifecycleStatus: (filter) => {
      const statuses = equalityOnly(filter);
      const active = statuses.includes('Active');
      const retired = statuses.includes('Retired');
      return active && retired ? {} : active ? { archivedAt: null } : retired ? { archivedAt: { not: null } } : { id: { in: [] } };
    },
    lastUpdate: (filter) => ({ updatedAt: dateComparison(filter) }),
  },
  sorts: { name: (direction) => ({ name: direction }), lastUpdate: (direction) => ({ updatedAt: direction }) },
  tieBreak: { id: 'asc' },
};

/** One variable as a `CharacteristicSpecification`: its type, whether it must be given, its values. */
function characteristics(schema: VariableSchema, defaults: Record<string, unknown>) {
  return Object.entries(schema.properties).map(([name, property]) => {
    const fallback = property.secret ? undefined : (defaults[name] ?? property.default);
    const values = property.enum
      ? property.enum.map((value) => ({ value, valueType: property.type, isDefault: value === fallback }))
      : fallback === undefined ? [] : [{ value: fallback, valueType: property.type, isDefault: true }];
    return {
      name,
      ...(property.description || property.title ? { description: property.description ?? property.title } : {}),
      valueType: property.type,
      configurable: true,
      minCardinality: schema.required.includes(name) && fallback === undefined ? 1 : 0,
      maxCardinality: 1,
      characteristicValueSpecification: values,
      // A secret's value is never shown, not even a default: an extension says it is one.
      ...(property.secret ? { '@type': 'ProvisioCharacteristicSpecification', '@baseType': 'CharacteristicSpecification', secret: true } : { '@type': 'CharacteristicSpecification' }),
    };
  });
}

/** A product as TMF633 shows it; its actions (suspend, change-speed…) are an extension. */
export function serviceSpecification(c: Origin, product: Product) {
  const definition = productDefinition(product);
  return {
    id: product.id,
    href: hrefOf(c, `${SPEC_PATH}/${product.id}`),
    name: product.name,
    description: product.description,
    version: String(product.version),
    lifecycleStatus: lifecycleStatus(product),
    lastUpdate: product.updatedAt.toISOString(),
    isBundle: false,
    specCharacteristic: characteristics(definition.variableSchema, definition.defaultVariables),
    resourceSpecification: definition.inventoryRequirements.map((requirement) => ({
      id: requirement.kind,
      name: requirement.kind,
      '@referredType': 'ResourceSpecification',
    })),
    serviceActions: productActions(product.actions).map((action) => ({
      name: action.name,
      description: action.description,
      specCharacteristic: characteristics(action.variableSchema, {}),
    })),
    '@type': 'ProvisioServiceSpecification',
    '@baseType': 'ServiceSpecification',
  };
}

export function serviceCatalogRoutes(deps: TmfDeps): Hono<TmfEnv> {
  const routes = new Hono<TmfEnv>();
  routes.get('/serviceSpecification', (c) =>
    listResponse(c, SPECIFICATION_QUERY, visibleProducts(c.get('viewer')), (where, query) => {
      const { prisma } = deps.services();
      return Promise.all([prisma.product.count({ where }), prisma.product.findMany({ where, orderBy: query.orderBy, skip: query.offset, take: query.limit })]);
    }, (product) => serviceSpecification(c, product)),
  );
  routes.get('/serviceSpecification/:id', async (c) => {
    const id = c.req.param('id');
    const fields = parseFields(c.req.query('fields'));
    const product = isUuid(id) ? await deps.services().prisma.product.findFirst({ where: { id, ...visibleProducts(c.get('viewer')) } }) : null;
    if (!product) throw notFound('serviceSpecification', id);
    return c.json(selectFields(serviceSpecification(c, product), fields));
  });
  return routes;
}
