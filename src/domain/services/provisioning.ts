import type { Prisma, PrismaClient, ProvisioningRun, Service } from '#generated/prisma/client.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { RunQueue } from '../ports/run-queue.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../errors.ts';
import type { Logger } from '../../logger.ts';
import type { WebhookOutbox } from '../webhooks/index.ts';
import { ACTIVE_RUN_STATUSES, enqueueRun } from '../runs/index.ts';
import { assertTargetReachable } from '../targets.ts';
import { productDefinition, secretMaskIssues, splitSecrets, validateVariables } from '../catalog/index.ts';
import { pickItems, publishPools } from '../inventory/index.ts';
import { openValues, sealValues, type SecretBox } from '../secrets/index.ts';
import { canonicalJson } from './canonical-json.ts';

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

export interface ProvisionRequest {
  productSlug: string;
  customerRef: string;
  variables?: Record<string, unknown> | null | undefined;
  /** Items to use instead of the first matching AVAILABLE ones (each must fit a requirement). */
  inventoryItemIds?: string[] | null | undefined;
  /** A retried request with the same key returns the same service and run. */
  idempotencyKey?: string | null | undefined;
  /** Runs the playbook with --check --diff: reserves nothing, changes no state, creates no service. */
  checkMode?: boolean | null | undefined;
  /** Set when a partner asks: only products granted to it, and the service becomes its own. */
  partnerId?: string | null | undefined;
}

export interface RunStarted {
  service: Service | null;
  run: ProvisioningRun;
}

/** Request variables are configuration, not payload: a generous cap keeps runs and events small. */
export const MAX_VARIABLES_BYTES = 64 * 1024;

/**
 * Validates the request, reserves inventory atomically and queues the provision run.
 * Returns at once (invariant 2); the playbook runs in the background.
 */
export async function provisionService(deps: ProvisioningDeps, request: ProvisionRequest): Promise<RunStarted> {
  const customerRef = request.customerRef.trim();
  const variablesSize = Buffer.byteLength(JSON.stringify(request.variables ?? {}));
  if (variablesSize > MAX_VARIABLES_BYTES) {
    throw new ValidationError([{ path: 'variables', message: `variables are ${variablesSize} bytes as JSON; at most ${MAX_VARIABLES_BYTES} are accepted` }]);
  }
  if (!customerRef || customerRef.length > 200) throw new ValidationError([{ path: 'customerRef', message: 'customerRef must be 1 to 200 characters' }]);
  const partnerId = request.partnerId ?? null;
  if (partnerId && request.inventoryItemIds?.length) {
    throw new ValidationError([{ path: 'inventoryItemIds', message: 'partners cannot choose inventory items; the pool assigns them' }]);
  }
  if (request.idempotencyKey !== undefined && request.idempotencyKey !== null && (request.idempotencyKey.length < 1 || request.idempotencyKey.length > 200)) {
    throw new ValidationError([{ path: 'idempotencyKey', message: 'idempotencyKey must be 1 to 200 characters' }]);
  }
  const product = await deps.prisma.product.findFirst({
    where: { slug: request.productSlug, ...(partnerId ? { partnerGrants: { some: { partnerId } } } : {}) },
  });
  if (!product) throw new NotFoundError('Product', request.productSlug);
  const definition = productDefinition(product);
  const requestVariables = validateVariables(definition.variableSchema, request.variables ?? {}, 'variables');
  const maskedSecrets = secretMaskIssues(definition.variableSchema, requestVariables, 'variables').filter((issue) => issue.path.startsWith('variables.'));
  if (maskedSecrets.length) throw new ValidationError(maskedSecrets);
  const { variables, secretVariables } = splitSecrets(definition.variableSchema, requestVariables);
  // A retry answers with what the first request started, whatever happened since (archiving too);
  // the same key with a different request is the caller's mistake, not a retry.
  const retryOf = { productId: product.id, customerRef, variables, secretVariables };
  if (request.idempotencyKey) {
    const existing = await findByIdempotencyKey(deps, request.idempotencyKey, partnerId, retryOf);
    if (existing) return existing;
  }
  if (product.archivedAt) throw new InvalidStateError(`product ${product.slug} is archived and takes no new services`, 'ARCHIVED');
  // Before anything is reserved: inventory is not held for a run that cannot reach its elements.
  await assertTargetReachable(deps, product);
  const timeoutSeconds = product.runTimeoutSeconds ?? deps.defaultRunTimeoutSeconds;
  const explicitIds = [...new Set(request.inventoryItemIds ?? [])];

  if (request.checkMode) {
    // A preview shows the playbook the items it would get, without reserving them.
    const items = await deps.prisma.$transaction((tx) => pickItems(tx, definition.inventoryRequirements, explicitIds, { lock: false }));
    const run = await deps.prisma.provisioningRun.create({
      data: {
        productId: product.id,
        action: 'PROVISION',
        checkMode: true,
        playbook: product.provisionPlaybook,
        timeoutSeconds,
        previewCustomerRef: customerRef,
        previewVariables: variables as Prisma.InputJsonObject,
        previewSecretVariables: sealValues(deps.secrets, secretVariables),
        previewInventoryIds: items.map((item) => item.id),
        partnerId,
      },
    });
    await enqueueRun(deps, run, product);
    return { service: null, run };
  }

  let started: RunStarted;
  try {
    started = await deps.prisma.$transaction(async (tx) => {
      const service = await tx.service.create({
        data: {
          productId: product.id,
          customerRef,
          variables: variables as Prisma.InputJsonObject,
          secretVariables: sealValues(deps.secrets, secretVariables),
          idempotencyKey: request.idempotencyKey ?? null,
          partnerId,
        },
      });
      const items = await pickItems(tx, definition.inventoryRequirements, explicitIds, { lock: true });
      if (items.length > 0) {
        // The status guard makes the reservation safe even if a row lock were missed: an item
        // that is no longer AVAILABLE is not counted, and the whole transaction rolls back.
        const { count } = await tx.inventoryItem.updateMany({
          where: { id: { in: items.map((item) => item.id) }, status: 'AVAILABLE' },
          data: { status: 'RESERVED', serviceId: service.id, statusReason: 'reserved by a provision run' },
        });
        if (count !== items.length) throw new ConflictError('inventory changed during the reservation; retry the request');
      }
      const run = await tx.provisioningRun.create({
        data: { productId: product.id, serviceId: service.id, partnerId, action: 'PROVISION', playbook: product.provisionPlaybook, timeoutSeconds },
      });
      return { service, run };
    });
  } catch (error) {
    // Two requests with one idempotency key raced: the loser answers with the winner's service.
    if ((error as { code?: string }).code === 'P2002' && request.idempotencyKey) {
      const existing = await findByIdempotencyKey(deps, request.idempotencyKey, partnerId, retryOf);
      if (existing) return existing;
    }
    throw error;
  }
  await enqueueRun(deps, started.run, product);
  await publishPools(deps, new Set(definition.inventoryRequirements.map((req) => req.kind)));
  return started;
}

export interface DeprovisionRequest {
  serviceId: string;
  checkMode?: boolean | null | undefined;
  /** Set when a partner asks: only its own services. */
  partnerId?: string | null | undefined;
}

/** Queues the deprovision run of an ACTIVE service (check mode: a preview that changes nothing). */
export async function deprovisionService(deps: ProvisioningDeps, request: DeprovisionRequest): Promise<RunStarted> {
  return deps.prisma.$transaction(async (tx) => {
    // Lock the service row so two deprovision requests cannot both pass the checks below.
    await tx.$queryRawUnsafe('SELECT id FROM "Service" WHERE id = $1::uuid FOR UPDATE', request.serviceId);
    const service = await tx.service.findUnique({ where: { id: request.serviceId }, include: { product: true } });
    if (!service || (request.partnerId && service.partnerId !== request.partnerId)) throw new NotFoundError('Service', request.serviceId);
    const active = await tx.provisioningRun.findFirst({
      where: { serviceId: service.id, status: { in: [...ACTIVE_RUN_STATUSES] }, checkMode: false },
    });
    if (active) throw new InvalidStateError(`service already has a ${active.action} run ${active.status}`, service.status);
    if (service.status !== 'ACTIVE' && service.status !== 'SUSPENDED') {
      throw new InvalidStateError(`only ACTIVE or SUSPENDED services can be deprovisioned; this one is ${service.status}`, service.status);
    }
    const run = await tx.provisioningRun.create({
      data: {
        productId: service.productId,
        serviceId: service.id,
        partnerId: service.partnerId,
        action: 'DEPROVISION',
        serviceStatusBefore: service.status,
        checkMode: request.checkMode === true,
        playbook: service.product.deprovisionPlaybook,
        timeoutSeconds: service.product.runTimeoutSeconds ?? deps.defaultRunTimeoutSeconds,
      },
    });
    const { product, ...current } = service;
    const updated = request.checkMode ? current : await tx.service.update({ where: { id: service.id }, data: { status: 'DEPROVISIONING', statusReason: null } });
    return { service: updated, run, product };
  }).then(async ({ service, run, product }) => {
    await enqueueRun(deps, run, product);
    return { service, run };
  });
}

/** What makes two provision requests the same request. */
interface RequestIdentity {
  productId: string;
  customerRef: string;
  variables: Record<string, unknown>;
  secretVariables: Record<string, unknown>;
}

async function findByIdempotencyKey(deps: ProvisioningDeps, key: string, partnerId: string | null, request: RequestIdentity): Promise<RunStarted | undefined> {
  const service = await deps.prisma.service.findUnique({
    where: { idempotencyKey: key },
    include: { runs: { where: { action: 'PROVISION', checkMode: false }, orderBy: { queuedAt: 'asc' }, take: 1 } },
  });
  const run = service?.runs[0];
  if (!service || !run) return undefined;
  // Keys are one namespace: another caller's service is neither returned nor overwritten.
  const sameCaller = !partnerId || service.partnerId === partnerId;
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
