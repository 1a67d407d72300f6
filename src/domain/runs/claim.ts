import type { PrismaClient } from '#generated/prisma/client.ts';

/** Serialises claims under a cluster-wide limit (an arbitrary constant: "prov" in ASCII). */
const CLAIM_LOCK = 0x70726f76;
const SLOT_POLL_MS = 500;

/**
 * Moves a run from QUEUED to RUNNING for this worker. The status guard makes a cancelled run, or
 * one another worker took, a no-op (a duplicated or retried job never runs a playbook twice).
 * With `clusterLimit`, the claim waits until fewer than that many runs are RUNNING anywhere;
 * claims are serialised by an advisory lock so two workers never both take the last slot.
 */
export async function claimRun(
  prisma: PrismaClient,
  runId: string,
  workerId: string,
  options: { clusterLimit?: number | undefined; signal: AbortSignal },
): Promise<boolean> {
  const claim = (client: Pick<PrismaClient, 'provisioningRun'>) =>
    client.provisioningRun.updateMany({ where: { id: runId, status: 'QUEUED' }, data: { status: 'RUNNING', startedAt: new Date(), workerId } });
  const { clusterLimit } = options;
  if (clusterLimit === undefined) return (await claim(prisma)).count === 1;
  for (;;) {
    if (options.signal.aborted) return false;
    const outcome = await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1)', CLAIM_LOCK);
      if ((await tx.provisioningRun.count({ where: { status: 'RUNNING' } })) >= clusterLimit) return 'full';
      return (await claim(tx)).count === 1 ? 'claimed' : 'gone';
    });
    if (outcome !== 'full') return outcome === 'claimed';
    await new Promise((resolve) => setTimeout(resolve, SLOT_POLL_MS));
  }
}
