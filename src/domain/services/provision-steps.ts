import { randomUUID } from 'node:crypto';
import type { InventoryItem, Prisma, PrismaClient, Product, ProvisioningRun, Service } from '#generated/prisma/client.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../errors.ts';
import { secretMaskIssues, splitSecrets, validateVariables, type VariableSchema } from '../catalog/index.ts';
import { openValues, sealValues, type SecretBox } from '../secrets/index.ts';
import { assertTargetReachable } from '../targets.ts';
import { canonicalJson } from './canonical-json.ts';
import type { RunTimingColumns } from '../runs/index.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { RunQueue } from '../ports/run-queue.ts';
import type { Logger } from '../../logger.ts';
import type { WebhookOutbox } from '../webhooks/index.ts';

// The steps of a provision, shared by one service's provision and an order's many: each rule
// lives here once, whether it is applied to one request or to a thousand in a few statements.

export interface ProvisioningDeps {
  prisma: PrismaClient;
  events: EventBus;
  queue: RunQueue;
  defaultRunTimeoutSeconds: number;
  secrets: SecretBox;
  webhooks: WebhookOutbox;
  logger: Logger;
  /** The ansible-playbook executable of a product's reachability check; unset: on PATH. */
  ansiblePlaybook?: string | undefined;
}

export interface RunStarted {
  service: Service | null;
  run: ProvisioningRun;
}

/** Request variables are configuration, not payload: a generous cap keeps runs and events small. */
export const MAX_VARIABLES_BYTES = 64 * 1024;

/** What one provision asks for. */
export interface ServiceRequest {
  customerRef: string;
  variables?: Record<string, unknown> | null | undefined;
  /** A retried request with the same key returns the same service and run. */
  idempotencyKey?: string | null | undefined;
}

/** A request checked against its product: the service it will create. */
export interface ServiceToCreate {
  productId: string;
  customerRef: string;
  variables: Record<string, unknown>;
  secretVariables: Record<string, unknown>;
  idempotencyKey: string | null;
  partnerId: string | null;
}

/** The product a caller may provision: any for staff, a granted one for a partner. */
export async function grantedProduct(deps: Pick<ProvisioningDeps, 'prisma'>, productSlug: string, partnerId: string | null): Promise<Product> {
  const product = await deps.prisma.product.findFirst({ where: { slug: productSlug, ...(partnerId ? { partnerGrants: { some: { partnerId } } } : {}) } });
  if (!product) throw new NotFoundError('Product', productSlug);
  return product;
}

/** Checks a request against its product's variable schema; throws ValidationError with every issue. */
export function serviceToCreate(product: Pick<Product, 'id'>, variableSchema: VariableSchema, request: ServiceRequest, partnerId: string | null): ServiceToCreate {
  const customerRef = request.customerRef.trim();
  const variablesSize = Buffer.byteLength(JSON.stringify(request.variables ?? {}));
  if (variablesSize > MAX_VARIABLES_BYTES) {
    throw new ValidationError([{ path: 'variables', message: `variables are ${variablesSize} bytes as JSON; at most ${MAX_VARIABLES_BYTES} are accepted` }]);
  }
  if (!customerRef || customerRef.length > 200) throw new ValidationError([{ path: 'customerRef', message: 'customerRef must be 1 to 200 characters' }]);
  const key = request.idempotencyKey ?? null;
  if (key !== null && (key.length < 1 || key.length > 200)) throw new ValidationError([{ path: 'idempotencyKey', message: 'idempotencyKey must be 1 to 200 characters' }]);
  const requestVariables = validateVariables(variableSchema, request.variables ?? {}, 'variables');
  const maskedSecrets = secretMaskIssues(variableSchema, requestVariables, 'variables').filter((issue) => issue.path.startsWith('variables.'));
  if (maskedSecrets.length) throw new ValidationError(maskedSecrets);
  return { productId: product.id, customerRef, ...splitSecrets(variableSchema, requestVariables), idempotencyKey: key, partnerId };
}

type ServiceWithFirstRun = Service & { runs: ProvisioningRun[] };

const FIRST_PROVISION_RUN = { runs: { where: { action: 'PROVISION', checkMode: false }, orderBy: { queuedAt: 'asc' }, take: 1 } } as const;

/**
 * A retry answers with what the first request started, whatever happened since (archiving too);
 * the same key with a different request is the caller's mistake, not a retry. Keys are one
 * namespace: another caller's service is neither returned nor overwritten.
 */
function retriedRequest(deps: Pick<ProvisioningDeps, 'secrets'>, service: ServiceWithFirstRun, request: ServiceToCreate): RunStarted | undefined {
  const run = service.runs[0];
  if (!run) return undefined;
  const sameCaller = !request.partnerId || service.partnerId === request.partnerId;
  const sameRequest =
    service.productId === request.productId &&
    service.customerRef === request.customerRef &&
    canonicalJson(service.variables) === canonicalJson(request.variables) &&
    canonicalJson(openValues(deps.secrets, service.secretVariables as Record<string, unknown>)) === canonicalJson(request.secretVariables);
  if (!sameCaller || !sameRequest) {
    throw new ConflictError('this idempotencyKey was already used for a different request (product, customer or variables differ); choose a new key');
  }
  const { runs: _runs, ...plain } = service;
  return { service: plain, run };
}

/** The services some keys already made: a map of key to the first request's answer, or the ConflictError of a different request. */
export async function findRetries(deps: Pick<ProvisioningDeps, 'prisma' | 'secrets'>, requests: ServiceToCreate[]): Promise<Map<string, RunStarted | ConflictError>> {
  const keys = requests.flatMap((request) => (request.idempotencyKey ? [request.idempotencyKey] : []));
  const found = new Map<string, RunStarted | ConflictError>();
  if (keys.length === 0) return found;
  const services = await deps.prisma.service.findMany({ where: { idempotencyKey: { in: keys } }, include: FIRST_PROVISION_RUN });
  const byKey = new Map(services.map((service) => [service.idempotencyKey!, service]));
  for (const request of requests) {
    const service = request.idempotencyKey ? byKey.get(request.idempotencyKey) : undefined;
    if (!service) continue;
    try {
      const retried = retriedRequest(deps, service, request);
      if (retried) found.set(request.idempotencyKey!, retried);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      found.set(request.idempotencyKey!, error);
    }
  }
  return found;
}

/** Whether the product takes new services now: not archived, its target reachable (before anything is reserved). */
export async function assertTakesServices(deps: ProvisioningDeps, product: Product): Promise<void> {
  if (product.archivedAt) throw new InvalidStateError(`product ${product.slug} is archived and takes no new services`, 'ARCHIVED');
  await assertTargetReachable(deps, product);
}

/**
 * Records services with their provision runs in the caller's transaction, one per item set
 * (`services[i]` holds `itemSets[i]`), and marks their items RESERVED. The status guard makes the
 * reservation safe even if a row lock were missed: an item no longer AVAILABLE is not counted,
 * and the whole transaction rolls back.
 */
export async function recordServices(
  tx: Prisma.TransactionClient,
  deps: Pick<ProvisioningDeps, 'secrets' | 'defaultRunTimeoutSeconds'>,
  product: Product,
  services: ServiceToCreate[],
  itemSets: InventoryItem[][],
  timing: RunTimingColumns = { status: 'QUEUED', notBefore: null, notAfter: null },
): Promise<Array<{ service: Service; run: ProvisioningRun }>> {
  const rows = services.map((service) => ({ ...service, id: randomUUID(), productRevision: product.revision, variables: service.variables as Prisma.InputJsonObject, secretVariables: sealValues(deps.secrets, service.secretVariables) }));
  const created = new Map((await tx.service.createManyAndReturn({ data: rows })).map((service) => [service.id, service]));
  const held = itemSets.flatMap((items, index) => items.map((item) => ({ itemId: item.id, serviceId: rows[index]!.id })));
  if (held.length > 0) {
    const count = await tx.$executeRawUnsafe(
      `UPDATE "InventoryItem" AS item SET status = 'RESERVED', "serviceId" = held.service_id, "statusReason" = 'reserved by a provision run', "updatedAt" = now()
        FROM unnest($1::uuid[], $2::uuid[]) AS held(item_id, service_id)
        WHERE item.id = held.item_id AND item.status = 'AVAILABLE'`,
      held.map((entry) => entry.itemId),
      held.map((entry) => entry.serviceId),
    );
    if (count !== held.length) throw new ConflictError('inventory changed during the reservation; retry the request');
  }
  const timeoutSeconds = product.runTimeoutSeconds ?? deps.defaultRunTimeoutSeconds;
  const runs = await tx.provisioningRun.createManyAndReturn({
    data: rows.map((service) => ({ id: randomUUID(), productId: product.id, serviceId: service.id, partnerId: service.partnerId, action: 'PROVISION' as const, playbook: product.provisionPlaybook, productRevision: product.revision, timeoutSeconds, ...timing })),
  });
  const runOf = new Map(runs.map((run) => [run.serviceId!, run]));
  return rows.map((row) => ({ service: created.get(row.id)!, run: runOf.get(row.id)! }));
}
