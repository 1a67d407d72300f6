import os from 'node:os';
import type { PrismaClient } from '#generated/prisma/client.ts';
import type { Logger } from '../../logger.ts';

/** host:pid:random — names the process that executes a run (ProvisioningRun.workerId). */
export function newWorkerId(random: string): string {
  return `${os.hostname()}:${process.pid}:${random}`;
}

/** The host part of a worker id: a leftover process group is killed only on its own host. */
export function hostOf(workerId: string | null): string | undefined {
  if (!workerId) return undefined;
  const parts = workerId.split(':');
  return parts.length >= 3 ? parts.slice(0, -2).join(':') : undefined;
}

export interface LivenessOptions {
  prisma: PrismaClient;
  logger: Logger;
  workerId: string;
  heartbeatMs: number;
  /** Called after each heartbeat: the recovery and cancel checks ride on it. */
  onBeat?: () => Promise<void>;
}

/**
 * A process that executes runs says it is alive: a Worker row with a heartbeat. A RUNNING run
 * whose worker has not beaten for STALE_BEATS intervals belongs to a dead process.
 */
export class WorkerLiveness {
  static readonly STALE_BEATS = 3;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  /** Since when (performance.now()) this process's beats have reached the database without a miss. */
  private answeringSince: number | undefined;
  private readonly options: LivenessOptions;

  constructor(options: LivenessOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    const { prisma, workerId } = this.options;
    await prisma.worker.upsert({
      where: { id: workerId },
      create: { id: workerId, host: os.hostname(), pid: process.pid },
      update: { stoppedAt: null },
    });
    await this.stampHeartbeat();
    this.answeringSince = performance.now();
    let inFlight = false;
    this.timer = setInterval(() => {
      // A slow beat (a busy database) is not overlapped by the next one.
      if (inFlight) return;
      inFlight = true;
      this.beating = this.beat()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'worker heartbeat failed'))
        .finally(() => (inFlight = false));
    }, this.options.heartbeatMs);
    this.timer.unref();
  }

  /**
   * By the database's clock, as staleness is judged (liveWorkerIds): processes on hosts whose
   * clocks differ judge each other against the one clock that stamped them.
   */
  private async stampHeartbeat(): Promise<void> {
    await this.options.prisma.$executeRaw`UPDATE "Worker" SET "heartbeatAt" = now() WHERE id = ${this.options.workerId}`;
  }

  private async beat(): Promise<void> {
    try {
      await this.stampHeartbeat();
    } catch (error) {
      this.answeringSince = undefined;
      throw error;
    }
    this.answeringSince ??= performance.now();
    // While this process could not reach the database (a restart, a failover) the others could
    // not beat either: they are judged once they have had a lapse's time to beat again.
    if (performance.now() - this.answeringSince < this.staleAfterMs) return;
    await this.options.onBeat?.();
  }

  /** A clean stop: its runs have ended, and nobody needs to wait for the heartbeat to lapse. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.options.prisma.worker.updateMany({ where: { id: this.options.workerId }, data: { stoppedAt: new Date() } });
  }

  get staleAfterMs(): number {
    return this.options.heartbeatMs * WorkerLiveness.STALE_BEATS;
  }
}

/** Ids of workers that are alive: heartbeat recent by the database's clock, not stopped. */
export async function liveWorkerIds(prisma: PrismaClient, staleAfterMs: number): Promise<Set<string>> {
  const live = await prisma.$queryRaw<Array<{ id: string }>>`SELECT id FROM "Worker"
    WHERE "stoppedAt" IS NULL AND "heartbeatAt" > now() - make_interval(secs => ${staleAfterMs / 1000})`;
  return new Set(live.map((worker) => worker.id));
}
