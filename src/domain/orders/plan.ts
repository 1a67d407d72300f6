import type { Prisma, PrismaClient, Product, Service } from '#generated/prisma/client.ts';
import type { ServiceOrderItemAction, ServiceStatus } from '#generated/prisma/enums.ts';
import { productActions, productDefinition, splitSecrets, validateVariables, type ProductAction } from '../catalog/index.ts';
import type { FieldIssue } from '../errors.ts';
import { ValidationError } from '../errors.ts';
import { dependencyCycle } from './states.ts';

// Validating an order before anything is stored: every item names what exists and may be used
// by the caller, its characteristics fit the product's (or the action's) variable schema, and
// its dependencies are items of the same order without a cycle. All issues at once.

export interface OrderItemRequest {
  /** The client's id of the item, unique within the order. */
  itemId: string;
  action: ServiceOrderItemAction;
  /** add: the product (TMF serviceSpecification id). */
  productId?: string | undefined;
  /** modify, delete, noChange: the service. */
  serviceId?: string | undefined;
  /** add: the customer the service is for. */
  customerRef?: string | undefined;
  /** modify: the status the service should reach (suspend: SUSPENDED, resume: ACTIVE). */
  serviceStatus?: ServiceStatus | undefined;
  /** Product variables (add) or action variables (modify), by name. */
  characteristics: Record<string, unknown>;
  /** itemIds of this order that must complete first. */
  dependsOn: string[];
  /** The client's other item attributes, kept as given. */
  document: Record<string, unknown>;
}

export interface OrderRequest {
  externalId?: string | undefined;
  /** The client's order attributes, kept as given (description, category, notes, parties, dates). */
  document: Record<string, unknown>;
  items: OrderItemRequest[];
}

/** An item as it is stored: validated, its secret characteristics apart (sealed by the caller). */
export interface PlannedItem {
  request: OrderItemRequest;
  productId: string | null;
  serviceId: string | null;
  actionName: string | null;
  variables: Record<string, unknown>;
  secretVariables: Record<string, unknown>;
}

export const MAX_ORDER_ITEMS = 1_000;

type Lookup = { products: Map<string, Product>; services: Map<string, Service & { product: Product }> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function lookUp(prisma: PrismaClient, partnerId: string | null, items: OrderItemRequest[]): Promise<Lookup> {
  // An id that is no UUID names nothing (and must not reach a uuid column): it is reported as not found.
  const productIds = [...new Set(items.flatMap((item) => (item.productId && UUID.test(item.productId) ? [item.productId] : [])))];
  const serviceIds = [...new Set(items.flatMap((item) => (item.serviceId && UUID.test(item.serviceId) ? [item.serviceId] : [])))];
  const partnerProducts: Prisma.ProductWhereInput = partnerId ? { partnerGrants: { some: { partnerId } } } : {};
  const [products, services] = await Promise.all([
    prisma.product.findMany({ where: { id: { in: productIds }, ...partnerProducts } }),
    prisma.service.findMany({ where: { id: { in: serviceIds }, ...(partnerId ? { partnerId } : {}) }, include: { product: true } }),
  ]);
  return { products: new Map(products.map((product) => [product.id, product])), services: new Map(services.map((service) => [service.id, service])) };
}

/** The product action a modify runs: by the status it reaches, or the one whose variables the characteristics are. */
function modifyAction(item: OrderItemRequest, product: Product, partner: boolean, path: string, issues: FieldIssue[]): ProductAction | undefined {
  const actions = productActions(product.actions).filter((action) => !partner || action.partners);
  const names = Object.keys(item.characteristics);
  const candidates = item.serviceStatus
    ? actions.filter((action) => action.to === item.serviceStatus)
    : actions.filter((action) => names.length > 0 && names.every((name) => name in action.variableSchema.properties));
  if (candidates.length === 1) return candidates[0];
  const wanted = item.serviceStatus ? `reaches state ${item.serviceStatus}` : `takes the characteristics ${names.join(', ') || '(none given)'}`;
  issues.push({
    path,
    message: candidates.length === 0
      ? `no action of ${product.slug} ${wanted}; its actions: ${actions.map((action) => action.name).join(', ') || 'none'}`
      : `more than one action of ${product.slug} ${wanted} (${candidates.map((action) => action.name).join(', ')}): change one thing per item`,
  });
  return undefined;
}

function structuralIssues(request: OrderRequest): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (request.items.length === 0) issues.push({ path: 'items', message: 'an order needs at least one item' });
  if (request.items.length > MAX_ORDER_ITEMS) issues.push({ path: 'items', message: `an order takes at most ${MAX_ORDER_ITEMS} items (got ${request.items.length})` });
  const ids = new Set<string>();
  request.items.forEach((item, index) => {
    if (ids.has(item.itemId)) issues.push({ path: `items.${index}.id`, message: `item id ${item.itemId} is used twice` });
    ids.add(item.itemId);
  });
  request.items.forEach((item, index) => {
    for (const dependency of item.dependsOn) {
      if (dependency === item.itemId) issues.push({ path: `items.${index}.dependsOn`, message: 'an item cannot depend on itself' });
      else if (!ids.has(dependency)) issues.push({ path: `items.${index}.dependsOn`, message: `no item ${dependency} in this order` });
    }
  });
  const cycle = issues.length === 0 ? dependencyCycle(request.items) : undefined;
  if (cycle) issues.push({ path: 'items', message: `the dependencies form a cycle: ${cycle.join(' → ')}` });
  return issues;
}

/** One item checked against what exists; pushes its issues, returns its plan when it has none. */
function planItem(item: OrderItemRequest, index: number, found: Lookup, partner: boolean, issues: FieldIssue[]): PlannedItem | undefined {
  const path = `items.${index}`;
  const before = issues.length;
  if (item.action === 'add') {
    const product = item.productId ? found.products.get(item.productId) : undefined;
    if (!product) issues.push({ path: `${path}.serviceSpecification`, message: `no service specification ${item.productId ?? '(none given)'} that you may order` });
    else if (product.archivedAt) issues.push({ path: `${path}.serviceSpecification`, message: `${product.slug} is retired and takes no new services` });
    let planned: PlannedItem | undefined;
    if (product) {
      try {
        const { variableSchema } = productDefinition(product);
        const variables = validateVariables(variableSchema, item.characteristics, `${path}.serviceCharacteristic`);
        planned = { request: item, productId: product.id, serviceId: null, actionName: null, ...splitSecrets(variableSchema, variables) };
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        issues.push(...error.issues);
      }
    }
    if (!item.customerRef) issues.push({ path: `${path}.relatedParty`, message: 'a new service needs its customer: a relatedParty with role "Customer" on the item or the order' });
    return issues.length > before ? undefined : planned;
  }
  const service = item.serviceId ? found.services.get(item.serviceId) : undefined;
  if (!service) {
    issues.push({ path: `${path}.service`, message: `no service ${item.serviceId ?? '(none given)'} that you may change` });
    return undefined;
  }
  if (item.action !== 'modify') return { request: item, productId: service.productId, serviceId: service.id, actionName: null, variables: {}, secretVariables: {} };
  const action = modifyAction(item, service.product, partner, `${path}.service`, issues);
  if (!action) return undefined;
  try {
    const variables = validateVariables(action.variableSchema, item.characteristics, `${path}.serviceCharacteristic`);
    return { request: item, productId: service.productId, serviceId: service.id, actionName: action.name, ...splitSecrets(action.variableSchema, variables) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}

/** Plans every item of an order, or throws one ValidationError with every issue found. */
export async function planOrder(prisma: PrismaClient, partnerId: string | null, request: OrderRequest): Promise<PlannedItem[]> {
  const structural = structuralIssues(request);
  if (structural.length > 0) throw new ValidationError(structural);
  const found = await lookUp(prisma, partnerId, request.items);
  const issues: FieldIssue[] = [];
  const planned = request.items.map((item, index) => planItem(item, index, found, partnerId !== null, issues));
  if (issues.length > 0) throw new ValidationError(issues);
  return planned as PlannedItem[];
}
