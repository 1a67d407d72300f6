import type { PrismaClient, Target } from '#generated/prisma/client.ts';
import { limitsOnTarget, recordedTarget } from '../targets.ts';

/** Serialises claims on a shared queue (an arbitrary constant: "prov" in ASCII). */
const CLAIM_LOCK = 0x70726f76;
const SLOT_POLL_MS = 500;

export interface ClaimOptions {
  /**
   * Several processes take runs from one queue (cluster): the limits (the run's product's
   * maxConcurrentRuns, its target hosts' and groups', and `clusterLimit`) are checked against
   * every RUNNING run in the database.
   * On one process the in-process queue holds them and the claim only checks the status.
   */
  shared: boolean;
  clusterLimit?: number | undefined;
  signal: AbortSignal;
}

/**
 * What a claim found: the product's target then, which the run records and its playbook goes to
 * (null: localhost; undefined: the product names a target that no longer exists).
 */
export interface Claim {
  target: Target | null | undefined;
}

/** The run belongs to a cancelled bulk operation: it must not start, and is the claimer's to cancel. */
export const BULK_CANCELLED = 'bulk cancelled';

type ClaimClient = Pick<PrismaClient, 'provisioningRun'>;

/**
 * Moves a run from QUEUED to RUNNING for this worker, recording its target's version. The status
 * guard makes a cancelled run, or one another worker took, a no-op (a duplicated or retried job
 * never runs a playbook twice): undefined.
 * On a shared queue the claim waits while a limit is reached; claims are serialised by an
 * advisory lock, so two workers never both take the last slot (the queue's own group limits
 * are checked by concurrent fetches, which can overshoot).
 * A run of a cancelled bulk operation is never taken, even while the cancel is still working
 * through the operation's runs: BULK_CANCELLED.
 */
export async function claimRun(prisma: PrismaClient, runId: string, workerId: string, options: ClaimOptions): Promise<Claim | typeof BULK_CANCELLED | undefined> {
  const claim = async (client: ClaimClient, target: Target | null | undefined, limitKeys: string[] = []) => {
    const { count } = await client.provisioningRun.updateMany({
      where: { id: runId, status: 'QUEUED', OR: [{ bulkOperationId: null }, { bulkOperation: { is: { cancelledAt: null } } }] },
      data: { status: 'RUNNING', startedAt: new Date(), workerId, limitKeys, ...recordedTarget(target) },
    });
    return count === 1 ? { target } : undefined;
  };
  const readRun = (client: ClaimClient) =>
    client.provisioningRun.findUnique({
      where: { id: runId },
      select: { status: true, productId: true, bulkOperation: { select: { cancelledAt: true } }, product: { select: { maxConcurrentRuns: true, targetId: true, targetHosts: true, target: true } } },
    });
  const targetOf = (product: { targetId: string | null; target: Target | null }) => (product.targetId ? (product.target ?? undefined) : null);
  if (!options.shared) {
    const run = await readRun(prisma);
    if (run?.status !== 'QUEUED') return undefined;
    return run.bulkOperation?.cancelledAt ? BULK_CANCELLED : claim(prisma, targetOf(run.product));
  }
  for (;;) {
    if (options.signal.aborted) return undefined;
    const outcome = await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1)', CLAIM_LOCK);
      const run = await readRun(tx);
      if (run?.status !== 'QUEUED') return undefined;
      if (run.bulkOperation?.cancelledAt) return BULK_CANCELLED;
      if (options.clusterLimit !== undefined && (await tx.provisioningRun.count({ where: { status: 'RUNNING' } })) >= options.clusterLimit) return 'full';
      const productLimit = run.product.maxConcurrentRuns;
      if (productLimit !== null && (await tx.provisioningRun.count({ where: { status: 'RUNNING', productId: run.productId } })) >= productLimit) return 'full';
      // The target hosts and groups it touches: a RUNNING run carries their keys.
      const target = targetOf(run.product);
      const elements = target ? limitsOnTarget(target, run.product.targetHosts) : [];
      for (const { key, limit } of elements) if ((await tx.provisioningRun.count({ where: { status: 'RUNNING', limitKeys: { has: key } } })) >= limit) return 'full';
      return claim(tx, target, elements.map((element) => element.key));
    });
    if (outcome !== 'full') return outcome;
    await new Promise((resolve) => setTimeout(resolve, SLOT_POLL_MS));
  }
}
