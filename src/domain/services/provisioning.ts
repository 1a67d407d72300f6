import type { Prisma, Product } from '#generated/prisma/client.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../errors.ts';
import { ACTIVE_RUN_STATUSES, enqueueRun, queueOrSchedule, runTimingColumns, type RunTiming } from '../runs/index.ts';
import { productDefinition } from '../catalog/index.ts';
import { pickItems, publishPools } from '../inventory/index.ts';
import { sealValues } from '../secrets/index.ts';
import { assertTakesServices, findRetries, grantedProduct, recordServices, serviceToCreate, type ProvisioningDeps, type RunStarted, type ServiceToCreate } from './provision-steps.ts';

export { MAX_VARIABLES_BYTES, type ProvisioningDeps, type RunStarted } from './provision-steps.ts';


export interface ProvisionRequest extends RunTiming {
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

/**
 * Validates the request, reserves inventory atomically and queues the provision run.
 * Returns at once (invariant 2); the playbook runs in the background.
 */
export async function provisionService(deps: ProvisioningDeps, request: ProvisionRequest): Promise<RunStarted> {
  const partnerId = request.partnerId ?? null;
  if (partnerId && request.inventoryItemIds?.length) {
    throw new ValidationError([{ path: 'inventoryItemIds', message: 'partners cannot choose inventory items; the pool assigns them' }]);
  }
  const product = await grantedProduct(deps, request.productSlug, partnerId);
  const definition = productDefinition(product);
  const wanted = serviceToCreate(product, definition.variableSchema, request, partnerId);
  const retried = wanted.idempotencyKey ? (await findRetries(deps, [wanted])).get(wanted.idempotencyKey) : undefined;
  if (retried instanceof ConflictError) throw retried;
  if (retried) return retried;
  await assertTakesServices(deps, product);
  const explicitIds = [...new Set(request.inventoryItemIds ?? [])];
  const timing = runTimingColumns(request);
  if (request.checkMode) return previewProvision(deps, product, wanted, explicitIds, timing.notBefore);

  let started: RunStarted;
  try {
    started = await deps.prisma.$transaction(async (tx) => {
      const items = await pickItems(tx, definition.inventoryRequirements, explicitIds, { lock: true });
      const [recorded] = await recordServices(tx, deps, product, [wanted], [items], timing);
      return recorded!;
    });
  } catch (error) {
    // Two requests with one idempotency key raced: the loser answers with the winner's service.
    if ((error as { code?: string }).code === 'P2002' && wanted.idempotencyKey) {
      const raced = (await findRetries(deps, [wanted])).get(wanted.idempotencyKey);
      if (raced instanceof ConflictError) throw raced;
      if (raced) return raced;
    }
    throw error;
  }
  await queueOrSchedule(deps, started.run, product);
  await publishPools(deps, new Set(definition.inventoryRequirements.map((req) => req.kind)));
  return started;
}

/** A preview shows the playbook the items it would get, without reserving them; it creates no service. */
async function previewProvision(deps: ProvisioningDeps, product: Product, wanted: ServiceToCreate, explicitIds: string[], notBefore: Date | null): Promise<RunStarted> {
  if (notBefore) throw new ValidationError([{ path: 'notBefore', message: 'a check-mode preview runs now: it is not scheduled' }]);
  const { inventoryRequirements } = productDefinition(product);
  const items = await deps.prisma.$transaction((tx) => pickItems(tx, inventoryRequirements, explicitIds, { lock: false }));
  const run = await deps.prisma.provisioningRun.create({
    data: {
      productId: product.id,
      action: 'PROVISION',
      checkMode: true,
      playbook: product.provisionPlaybook,
      productRevision: product.revision,
      timeoutSeconds: product.runTimeoutSeconds ?? deps.defaultRunTimeoutSeconds,
      previewCustomerRef: wanted.customerRef,
      previewVariables: wanted.variables as Prisma.InputJsonObject,
      previewSecretVariables: sealValues(deps.secrets, wanted.secretVariables),
      previewInventoryIds: items.map((item) => item.id),
      partnerId: wanted.partnerId,
    },
  });
  await enqueueRun(deps, run, product);
  return { service: null, run };
}

export interface DeprovisionRequest extends RunTiming {
  serviceId: string;
  checkMode?: boolean | null | undefined;
  /** Set when a partner asks: only its own services. */
  partnerId?: string | null | undefined;
}

/** Queues the deprovision run of an ACTIVE service (check mode: a preview that changes nothing). */
export async function deprovisionService(deps: ProvisioningDeps, request: DeprovisionRequest): Promise<RunStarted> {
  const timing = runTimingColumns(request);
  if (request.checkMode && timing.notBefore) throw new ValidationError([{ path: 'notBefore', message: 'a check-mode preview runs now: it is not scheduled' }]);
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
        ...timing,
      },
    });
    const { product, ...current } = service;
    const updated = request.checkMode ? current : await tx.service.update({ where: { id: service.id }, data: { status: 'DEPROVISIONING', statusReason: null } });
    return { service: updated, run, product };
  }).then(async ({ service, run, product }) => {
    await queueOrSchedule(deps, run, product);
    return { service, run };
  });
}
