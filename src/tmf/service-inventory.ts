import { Hono } from 'hono';
import type { InventoryItem, Prisma, Product, Service } from '#generated/prisma/client.ts';
import type { InventoryKind, ServiceStatus } from '#generated/prisma/enums.ts';
import { visibleServices } from '../domain/access/viewer.ts';
import { badRequest, notFound } from './errors.ts';
import { dateComparison, equalityOnly, parseFields, selectFields, wants, type AttributeFilter, type FieldSelection, type Queryable } from './conventions.ts';
import { hrefOf, listResponse, type Origin, type TmfDeps, type TmfEnv } from './context.ts';
import { isUuid } from './ids.ts';

// TMF638 Service Inventory v4: the services, read-only (they change through orders, as the
// specification intends), their state in TMF's words, their inventory as supporting resources.

const SERVICE_PATH = '/serviceInventory/v4/service';

/** TMF638's ServiceStateType for each Provisio status (docs/design.md, "TM Forum Open APIs"). */
export const SERVICE_STATE: Record<ServiceStatus, 'reserved' | 'active' | 'inactive' | 'terminated'> = {
  PROVISIONING: 'reserved',
  ACTIVE: 'active',
  SUSPENDED: 'inactive',
  NEEDS_ATTENTION: 'inactive',
  DEPROVISIONING: 'inactive',
  DEPROVISIONED: 'terminated',
  FAILED: 'terminated',
};

const STATES = [...new Set(Object.values(SERVICE_STATE))];

/** The kind of resource each inventory kind is, as TMF639 sorts them. */
const RESOURCE_TYPE: Record<InventoryKind, 'PhysicalResource' | 'LogicalResource'> = {
  SIM: 'PhysicalResource',
  MODEM: 'PhysicalResource',
  PHONE_NUMBER: 'LogicalResource',
  IP_BLOCK: 'LogicalResource',
};

function stateFilter(filter: AttributeFilter): Prisma.ServiceWhereInput {
  const states = equalityOnly(filter);
  const unknown = states.filter((state) => !STATES.includes(state as never));
  if (unknown.length > 0) throw badRequest(`unknown state ${unknown.join(', ')}; a service is ${STATES.join(', ')}`);
  const statuses = (Object.keys(SERVICE_STATE) as ServiceStatus[]).filter((status) => states.includes(SERVICE_STATE[status]));
  return { status: { in: statuses } };
}

const SERVICE_QUERY: Queryable<Prisma.ServiceWhereInput, Prisma.ServiceOrderByWithRelationInput> = {
  filters: {
    id: (filter) => ({ id: { in: equalityOnly(filter).filter(isUuid) } }),
    state: stateFilter,
    'serviceSpecification.id': (filter) => ({ productId: { in: equalityOnly(filter).filter(isUuid) } }),
    'serviceSpecification.name': (filter) => ({ product: { name: { in: equalityOnly(filter) } } }),
    'relatedParty.id': (filter) => ({ customerRef: { in: equalityOnly(filter) } }),
    startDate: (filter) => ({ createdAt: dateComparison(filter) }),
  },
  sorts: { startDate: (direction) => ({ createdAt: direction }) },
  tieBreak: { id: 'asc' },
};

type ServiceRow = Service & { product?: Product; inventoryItems?: InventoryItem[] };

/** A characteristic's TMF valueType, from its JSON value. */
function valueType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A service as TMF638 shows it: variables (never secret ones, stored apart) and outputs as characteristics. */
export function tmfService(c: Origin, service: ServiceRow) {
  const characteristics = { ...(service.variables as Record<string, unknown>), ...(service.outputs as Record<string, unknown>) };
  return {
    id: service.id,
    href: hrefOf(c, `${SERVICE_PATH}/${service.id}`),
    state: SERVICE_STATE[service.status],
    ...(service.statusReason ? { description: service.statusReason } : {}),
    isServiceEnabled: service.status === 'ACTIVE',
    hasStarted: service.status !== 'PROVISIONING' && service.status !== 'FAILED',
    isStateful: true,
    startDate: service.createdAt.toISOString(),
    ...(service.status === 'DEPROVISIONED' ? { endDate: service.updatedAt.toISOString() } : {}),
    ...(service.product
      ? {
          name: `${service.product.name} for ${service.customerRef}`,
          serviceType: service.product.slug,
          serviceSpecification: {
            id: service.product.id,
            href: hrefOf(c, `/serviceCatalogManagement/v4/serviceSpecification/${service.product.id}`),
            name: service.product.name,
            version: String(service.product.version),
            '@referredType': 'ServiceSpecification',
          },
        }
      : {}),
    serviceCharacteristic: Object.entries(characteristics).map(([name, value]) => ({ name, valueType: valueType(value), value })),
    relatedParty: [{ id: service.customerRef, role: 'Customer', '@referredType': 'Customer', '@type': 'RelatedParty' }],
    ...(service.inventoryItems
      ? { supportingResource: service.inventoryItems.map((item) => ({ id: item.id, name: item.identifier, value: item.kind, '@referredType': RESOURCE_TYPE[item.kind] })) }
      : {}),
    '@type': 'Service',
  };
}

/** What to read with a service for the attributes asked for (a page of ids and states reads no relation). */
function serviceInclude(fields: FieldSelection) {
  return {
    product: wants(fields, 'serviceSpecification') || wants(fields, 'name') || wants(fields, 'serviceType'),
    inventoryItems: wants(fields, 'supportingResource') ? { orderBy: [{ kind: 'asc' as const }, { identifier: 'asc' as const }] } : false,
  };
}

export function serviceInventoryRoutes(deps: TmfDeps): Hono<TmfEnv> {
  const routes = new Hono<TmfEnv>();
  routes.get('/service', (c) =>
    listResponse(c, SERVICE_QUERY, visibleServices(c.get('viewer')), (where, query) => {
      const { prisma } = deps.services();
      return Promise.all([prisma.service.count({ where }), prisma.service.findMany({ where, include: serviceInclude(query.fields), orderBy: query.orderBy, skip: query.offset, take: query.limit })]);
    }, (service) => tmfService(c, service)),
  );
  routes.get('/service/:id', async (c) => {
    const id = c.req.param('id');
    const fields = parseFields(c.req.query('fields'));
    const service = isUuid(id) ? await deps.services().prisma.service.findFirst({ where: { id, ...visibleServices(c.get('viewer')) }, include: serviceInclude(fields) }) : null;
    if (!service) throw notFound('service', id);
    return c.json(selectFields(tmfService(c, service), fields));
  });
  return routes;
}
