import type { Prisma, ProvisioningRun, Service } from '#generated/prisma/client.ts';
import { holdActionInventory } from './action-inventory.ts';
import { ConflictError, ForbiddenError, InvalidStateError, NotFoundError, ValidationError } from '../errors.ts';
import { ACTIVE_RUN_STATUSES, queueOrSchedule, runTimingColumns, type RunTiming } from '../runs/index.ts';
import { canonicalJson } from './canonical-json.ts';
import { MAX_VARIABLES_BYTES, type ProvisioningDeps } from './provisioning.ts';
import { productActions, secretMaskIssues, splitSecrets, validateVariables } from '../catalog/index.ts';
import { publishPools } from '../inventory/index.ts';
import { openValues, sealValues } from '../secrets/index.ts';

export interface ActionRequest extends RunTiming {
  serviceId: string;
  action: string;
  variables?: Record<string, unknown> | null | undefined;
  idempotencyKey?: string | null | undefined;
  /** Set when a partner asks: its own services, and actions open to partners. */
  partnerId?: string | null | undefined;
}

/**
 * Queues a product action on a service: checks the service's state and that nothing else runs on
 * it (one run per service at a time), validates the variables, checks the items it releases and
 * reserves the ones it needs, in one transaction with the service row locked. Returns at once.
 */
export async function runServiceAction(deps: ProvisioningDeps, request: ActionRequest): Promise<{ service: Service; run: ProvisioningRun }> {
  const size = Buffer.byteLength(JSON.stringify(request.variables ?? {}));
  if (size > MAX_VARIABLES_BYTES) throw new ValidationError([{ path: 'variables', message: `variables are ${size} bytes as JSON; at most ${MAX_VARIABLES_BYTES} are accepted` }]);
  if (request.idempotencyKey !== undefined && request.idempotencyKey !== null && (request.idempotencyKey.length < 1 || request.idempotencyKey.length > 200)) {
    throw new ValidationError([{ path: 'idempotencyKey', message: 'idempotencyKey must be 1 to 200 characters' }]);
  }
  if (request.idempotencyKey) {
    const existing = await sameRequest(deps, request);
    if (existing) return existing;
  }
  const timing = runTimingColumns(request);
  try {
    const started = await deps.prisma.$transaction(async (tx) => {
      // One run per service at a time: the row lock orders concurrent requests.
      await tx.$queryRawUnsafe('SELECT id FROM "Service" WHERE id = $1::uuid FOR UPDATE', request.serviceId);
      const service = await tx.service.findUnique({ where: { id: request.serviceId }, include: { product: true } });
      if (!service || (request.partnerId && service.partnerId !== request.partnerId)) throw new NotFoundError('Service', request.serviceId);
      const action = productActions(service.product.actions).find((candidate) => candidate.name === request.action);
      if (!action) throw new NotFoundError('ServiceAction', `${service.product.slug}/${request.action}`);
      if (request.partnerId && !action.partners) throw new ForbiddenError(`action ${action.name} of ${service.product.slug} is for operators`, 'PARTNER');
      const active = await tx.provisioningRun.findFirst({ where: { serviceId: service.id, status: { in: [...ACTIVE_RUN_STATUSES] }, checkMode: false } });
      if (active) throw new InvalidStateError(`the service already has a ${active.actionName ?? active.action.toLowerCase()} run ${active.status}: one run at a time`, service.status);
      if (!action.from.includes(service.status)) {
        throw new InvalidStateError(`${action.name} runs on services that are ${action.from.join(' or ')}; this one is ${service.status}`, service.status);
      }
      const validated = validateVariables(action.variableSchema, request.variables ?? {}, 'variables');
      const masked = secretMaskIssues(action.variableSchema, validated, 'variables').filter((issue) => issue.path.startsWith('variables.'));
      if (masked.length) throw new ValidationError(masked);
      const { variables, secretVariables } = splitSecrets(action.variableSchema, validated);
      const held = await holdActionInventory(tx, service, action, validated);
      const run = await tx.provisioningRun.create({
        data: {
          productId: service.productId,
          serviceId: service.id,
          partnerId: service.partnerId,
          action: 'ACTION',
          actionName: action.name,
          playbook: action.playbook,
          actionVariables: variables as Prisma.InputJsonObject,
          actionSecretVariables: sealValues(deps.secrets, secretVariables),
          actionReservedItemIds: held.reservedIds,
          actionReleasedItemIds: held.releasedIds,
          idempotencyKey: request.idempotencyKey ?? null,
          timeoutSeconds: service.product.runTimeoutSeconds ?? deps.defaultRunTimeoutSeconds,
          ...timing,
        },
      });
      const { product, ...plain } = service;
      return { service: plain, run, product, reservedKinds: held.reservedKinds };
    });
    await queueOrSchedule(deps, started.run, started.product);
    if (started.reservedKinds.size > 0) await publishPools(deps, started.reservedKinds);
    return { service: started.service, run: started.run };
  } catch (error) {
    // Two requests with one key raced: the loser answers with the winner's run.
    if ((error as { code?: string }).code === 'P2002' && request.idempotencyKey) {
      const existing = await sameRequest(deps, request);
      if (existing) return existing;
    }
    throw error;
  }
}

/** The run an earlier request with this idempotency key started, if it was the same request. */
async function sameRequest(deps: ProvisioningDeps, request: ActionRequest): Promise<{ service: Service; run: ProvisioningRun } | undefined> {
  const found = await deps.prisma.provisioningRun.findUnique({ where: { idempotencyKey: request.idempotencyKey! }, include: { service: true, product: true } });
  if (!found?.service) return undefined;
  const { service, product, ...run } = found;
  const action = productActions(product.actions).find((candidate) => candidate.name === run.actionName);
  const stored = { ...(run.actionVariables as Record<string, unknown>), ...openValues(deps.secrets, (run.actionSecretVariables ?? {}) as Record<string, unknown>) };
  let asked: Record<string, unknown> | undefined;
  try {
    asked = action ? validateVariables(action.variableSchema, request.variables ?? {}, 'variables') : undefined;
  } catch {
    asked = undefined;
  }
  const same = run.serviceId === request.serviceId && run.actionName === request.action && (!request.partnerId || run.partnerId === request.partnerId) && asked !== undefined && canonicalJson(stored) === canonicalJson(asked);
  if (!same) throw new ConflictError('this idempotencyKey was already used for a different request; choose a new key');
  return { service, run };
}
