import type { Prisma, Product, Service } from '#generated/prisma/client.ts';
import type { RunStatus, SyncState } from '#generated/prisma/enums.ts';
import type { LoadedRun } from './status.ts';

// What a finished sync check (CHECK_SYNC) says of its service: the provision playbook in check
// mode would change nothing (IN_SYNC), would change something (DRIFTED: its diff events say
// what, per task and host), or could not tell (UNKNOWN: unreachable, failed, stopped).

/** The verdict of a check from how its run ended and how many task results would have changed something. */
export function syncStateOf(status: RunStatus, changedCount: number): SyncState {
  if (status !== 'SUCCEEDED') return 'UNKNOWN';
  return changedCount > 0 ? 'DRIFTED' : 'IN_SYNC';
}

/**
 * Records a check's verdict on its service, in the run's finishing transaction. A service that
 * another run changed while the check ran (one was queued after it), or that is no longer
 * ACTIVE, gets UNKNOWN: the check saw a network in motion. Returns the state recorded.
 */
export async function recordSyncVerdict(tx: Prisma.TransactionClient, run: LoadedRun, status: RunStatus, changedCount: number): Promise<SyncState | undefined> {
  if (!run.service) return undefined;
  // A check against another revision than the service's (an upgrade's preview) leaves its verdict as it was.
  if (run.productRevision !== null && run.productRevision !== run.service.productRevision) return undefined;
  const moved = await tx.provisioningRun.count({ where: { serviceId: run.service.id, checkMode: false, queuedAt: { gte: run.queuedAt }, id: { not: run.id } } });
  const state = moved > 0 ? 'UNKNOWN' : syncStateOf(status, changedCount);
  const { count } = await tx.service.updateMany({ where: { id: run.service.id, status: 'ACTIVE', productRevision: run.productRevision ?? run.service.productRevision }, data: { syncState: state, syncCheckedAt: new Date(), syncRunId: run.id } });
  return count === 1 ? state : undefined;
}

/**
 * The CHECK_SYNC run of a service, with `product` as at the revision to compare against (the
 * service's own, or the current one for an upgrade's preview: catalog's productAtRevision).
 */
export function syncCheckRun(deps: { defaultRunTimeoutSeconds: number }, service: Service, product: Product): Prisma.ProvisioningRunUncheckedCreateInput {
  return { ...provisionPlaybookRun(deps, service, product), action: 'CHECK_SYNC', checkMode: true };
}

/** The REDEPLOY run of a service: its provision playbook for real with what it recorded, at `product`'s revision. */
export function redeployRun(deps: { defaultRunTimeoutSeconds: number }, service: Service, product: Product): Prisma.ProvisioningRunUncheckedCreateInput {
  return { ...provisionPlaybookRun(deps, service, product), action: 'REDEPLOY' };
}

/** The check a re-deploy that left its service ACTIVE is followed by: same playbook, same revision. */
export function checkAfterRedeploy(run: LoadedRun, service: Service): Prisma.ProvisioningRunUncheckedCreateInput {
  return {
    productId: run.productId,
    serviceId: service.id,
    partnerId: run.partnerId,
    playbook: run.playbook,
    productRevision: run.productRevision,
    timeoutSeconds: run.timeoutSeconds,
    serviceStatusBefore: 'ACTIVE',
    action: 'CHECK_SYNC',
    checkMode: true,
  };
}

function provisionPlaybookRun(deps: { defaultRunTimeoutSeconds: number }, service: Service, product: Product) {
  return {
    productId: service.productId,
    serviceId: service.id,
    partnerId: service.partnerId,
    playbook: product.provisionPlaybook,
    productRevision: product.revision,
    timeoutSeconds: product.runTimeoutSeconds ?? deps.defaultRunTimeoutSeconds,
    serviceStatusBefore: service.status,
  };
}

/**
 * Whether a diff event shows a change. Ansible reports a task's diff with `--diff` whether or not
 * it changed anything (a file's unchanged path, a subscriber as it is): only a diff whose before
 * and after differ (or that shows what it prepared) says what a check found would change.
 */
export function diffShowsChange(data: unknown): boolean {
  const entries = (data as { diff?: unknown } | null)?.diff;
  if (!Array.isArray(entries)) return false;
  return entries.some((entry: { before?: unknown; after?: unknown; prepared?: unknown } | null) => {
    if (!entry || typeof entry !== 'object') return false;
    if (entry.prepared !== undefined && entry.prepared !== null && entry.prepared !== '') return true;
    return JSON.stringify(entry.before ?? null) !== JSON.stringify(entry.after ?? null);
  });
}
