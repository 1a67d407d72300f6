import type { Product } from '#generated/prisma/client.ts';
import { productDefinition } from '../catalog/index.ts';
import { DomainError } from '../errors.ts';
import { pickItemSets, publishPools } from '../inventory/index.ts';
import { enqueueRuns } from '../runs/index.ts';
import { assertTakesServices, findRetries, grantedProduct, recordServices, serviceToCreate, type ProvisioningDeps, type RunStarted, type ServiceRequest, type ServiceToCreate } from './provision-steps.ts';
import { provisionService } from './provisioning.ts';

/** Per request: the service and run it started (or a retry's first answer), or why it was refused. */
export type BatchOutcome = RunStarted | DomainError;

/** Services recorded in one transaction: a transaction holds its item locks this long at most. */
const SERVICES_PER_TRANSACTION = 250;

interface Pending {
  index: number;
  wanted: ServiceToCreate;
}

/**
 * Provisions many services of one product at once (an order's items), with the rules of
 * provisionService applied to each request: a few statements per few hundred services instead of
 * a transaction each. Requests are served in the order given while the pool lasts; one that is
 * refused (invalid variables, a used key, no inventory left) gets its DomainError and the others
 * go on. The inventory comes from the pool (no explicit items), and nothing is a preview.
 */
export async function provisionServices(deps: ProvisioningDeps, productSlug: string, partnerId: string | null, requests: ServiceRequest[]): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = new Array(requests.length);
  const refuseAll = (indexes: number[], error: unknown) => {
    if (!(error instanceof DomainError)) throw error;
    for (const index of indexes) outcomes[index] = error;
  };
  let product: Product;
  try {
    product = await grantedProduct(deps, productSlug, partnerId);
  } catch (error) {
    refuseAll(requests.map((_, index) => index), error);
    return outcomes;
  }
  const definition = productDefinition(product);
  const pending: Pending[] = [];
  requests.forEach((request, index) => {
    try {
      pending.push({ index, wanted: serviceToCreate(product, definition.variableSchema, request, partnerId) });
    } catch (error) {
      refuseAll([index], error);
    }
  });
  const retries = await findRetries(deps, pending.map((entry) => entry.wanted));
  const fresh = pending.filter((entry) => {
    const retried = entry.wanted.idempotencyKey ? retries.get(entry.wanted.idempotencyKey) : undefined;
    if (retried) outcomes[entry.index] = retried;
    return !retried;
  });
  if (fresh.length === 0) return outcomes;
  try {
    await assertTakesServices(deps, product);
  } catch (error) {
    refuseAll(fresh.map((entry) => entry.index), error);
    return outcomes;
  }
  for (let start = 0; start < fresh.length; start += SERVICES_PER_TRANSACTION) {
    await recordChunk(deps, product, fresh.slice(start, start + SERVICES_PER_TRANSACTION), outcomes, { productSlug, partnerId, requests });
  }
  await publishPools(deps, new Set(definition.inventoryRequirements.map((requirement) => requirement.kind)));
  return outcomes;
}

/** Reserves and records one chunk in a transaction, then queues its runs. */
async function recordChunk(
  deps: ProvisioningDeps,
  product: Product,
  chunk: Pending[],
  outcomes: BatchOutcome[],
  batch: { productSlug: string; partnerId: string | null; requests: ServiceRequest[] },
): Promise<void> {
  const { inventoryRequirements } = productDefinition(product);
  let recorded: { started: RunStarted[]; short?: DomainError | undefined };
  try {
    recorded = await deps.prisma.$transaction(async (tx) => {
      const { sets, short } = await pickItemSets(tx, inventoryRequirements, chunk.length);
      return { started: await recordServices(tx, deps, product, chunk.slice(0, sets.length).map((entry) => entry.wanted), sets), short };
    });
  } catch (error) {
    // Another process started one of these keys meanwhile: each request alone answers as a retry.
    if ((error as { code?: string }).code !== 'P2002') throw error;
    for (const entry of chunk) {
      outcomes[entry.index] = await provisionService(deps, { ...batch.requests[entry.index]!, productSlug: batch.productSlug, partnerId: batch.partnerId }).catch((single: unknown) => {
        if (single instanceof DomainError) return single;
        throw single;
      });
    }
    return;
  }
  recorded.started.forEach((started, position) => (outcomes[chunk[position]!.index] = started));
  for (const entry of chunk.slice(recorded.started.length)) outcomes[entry.index] = recorded.short!;
  await enqueueRuns(deps, product.id, recorded.started.map((started) => started.run.id), product);
}
