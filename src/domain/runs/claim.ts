import type { PrismaClient } from '#generated/prisma/client.ts';
import { targetLimits } from '../targets.ts';

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
 * Moves a run from QUEUED to RUNNING for this worker. The status guard makes a cancelled run, or
 * one another worker took, a no-op (a duplicated or retried job never runs a playbook twice).
 * On a shared queue the claim waits while a limit is reached; claims are serialised by an
 * advisory lock, so two workers never both take the last slot (the queue's own group limits
 * are checked by concurrent fetches, which can overshoot).
 */
export async function claimRun(prisma: PrismaClient, runId: string, workerId: string, options: ClaimOptions): Promise<boolean> {
  const claim = (client: Pick<PrismaClient, 'provisioningRun'>, limitKeys: string[] = []) =>
    client.provisioningRun.updateMany({ where: { id: runId, status: 'QUEUED' }, data: { status: 'RUNNING', startedAt: new Date(), workerId, limitKeys } });
  if (!options.shared) return (await claim(prisma)).count === 1;
  for (;;) {
    if (options.signal.aborted) return false;
    const outcome = await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1)', CLAIM_LOCK);
      const run = await tx.provisioningRun.findUnique({ where: { id: runId }, select: { status: true, productId: true, product: { select: { maxConcurrentRuns: true, targetId: true, targetHosts: true } } } });
      if (run?.status !== 'QUEUED') return 'gone';
      if (options.clusterLimit !== undefined && (await tx.provisioningRun.count({ where: { status: 'RUNNING' } })) >= options.clusterLimit) return 'full';
      const productLimit = run.product.maxConcurrentRuns;
      if (productLimit !== null && (await tx.provisioningRun.count({ where: { status: 'RUNNING', productId: run.productId } })) >= productLimit) return 'full';
      // The target hosts and groups it touches: a RUNNING run carries their keys.
      const elements = await targetLimits(tx, run.product);
      for (const { key, limit } of elements) if ((await tx.provisioningRun.count({ where: { status: 'RUNNING', limitKeys: { has: key } } })) >= limit) return 'full';
      return (await claim(tx, elements.map((element) => element.key))).count === 1 ? 'claimed' : 'gone';
    });
    if (outcome !== 'full') return outcome === 'claimed';
    await new Promise((resolve) => setTimeout(resolve, SLOT_POLL_MS));
  }
}
