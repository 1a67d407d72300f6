import type { PrismaClient, Product, ProvisioningRun } from '#generated/prisma/client.ts';
import { ValidationError } from '../errors.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { RunQueue } from '../ports/run-queue.ts';
import { enqueueRun, enqueueRuns, finishRun, type LifecycleDeps } from './lifecycle.ts';
import { LOADED_RUN_INCLUDE, type LoadedRun } from './status.ts';

/** A run may be scheduled this far ahead at most: further is a typo, not a plan. */
const MAX_AHEAD_MS = 400 * 24 * 3600 * 1000;
/** Runs moved from SCHEDULED to QUEUED in one statement (10,000 due at once take ten). */
const BATCH = 1000;
/** Also looked at this often without a wake-up: a run scheduled by a process that died before its time. */
const RECHECK_MS = 30_000;
/** An EXPIRED run still unfinished this long after it was taken was taken by a process that died. */
const ABANDONED_AFTER_MS = 60_000;
/** After a failed pass (the database away), the next one. */
const RETRY_MS = 5_000;
/** A stop waits this long at most for a pass in progress (one stuck on a database that is away must not hold a shutdown). */
const STOP_WAIT_MS = 2_000;

/** When a run may start, as asked. */
export interface RunTiming {
  /** Not before then: the run waits SCHEDULED. Null or past: queued at once. */
  notBefore?: Date | null | undefined;
  /** A scheduled run not started by then ends EXPIRED. Needs notBefore. */
  notAfter?: Date | null | undefined;
}

/** The columns a new run gets from its timing: SCHEDULED when notBefore lies ahead. */
export interface RunTimingColumns {
  status: 'SCHEDULED' | 'QUEUED';
  notBefore: Date | null;
  notAfter: Date | null;
}

/** Checks a request's timing (before anything is reserved) and says how the run starts. */
export function runTimingColumns(timing: RunTiming, now = new Date()): RunTimingColumns {
  const notBefore = timing.notBefore ?? null;
  const notAfter = timing.notAfter ?? null;
  const issues = [];
  if (notBefore && notBefore.getTime() - now.getTime() > MAX_AHEAD_MS) issues.push({ path: 'notBefore', message: `notBefore is more than ${MAX_AHEAD_MS / 86_400_000} days ahead` });
  if (notAfter && !notBefore) issues.push({ path: 'notAfter', message: 'notAfter bounds a scheduled run: give notBefore too' });
  if (notAfter && notBefore && notAfter <= notBefore) issues.push({ path: 'notAfter', message: 'notAfter must be later than notBefore' });
  if (notAfter && notAfter <= now) issues.push({ path: 'notAfter', message: 'notAfter has passed already' });
  if (issues.length) throw new ValidationError(issues);
  const scheduled = notBefore !== null && notBefore > now;
  return { status: scheduled ? 'SCHEDULED' : 'QUEUED', notBefore: scheduled ? notBefore : null, notAfter: scheduled ? notAfter : null };
}

/** Hands a new run on: to the queue, or, scheduled, to the starters of every process. */
export async function queueOrSchedule(
  deps: { prisma: PrismaClient; queue: RunQueue; events: EventBus },
  run: Pick<ProvisioningRun, 'id' | 'productId' | 'status' | 'notBefore'>,
  product: Pick<Product, 'maxConcurrentRuns' | 'targetId' | 'targetHosts'>,
): Promise<void> {
  if (run.status === 'SCHEDULED') deps.events.publish('runs:scheduled', { notBefore: run.notBefore!.toISOString() });
  else await enqueueRun(deps, run, product);
}

/**
 * Starts scheduled runs at their time, in every process of every profile: a pass moves the runs
 * whose notBefore has come from SCHEDULED to QUEUED (and queues them) and ends those past their
 * notAfter EXPIRED, then sleeps until the next notBefore. The table is the schedule, so a restart
 * loses nothing and a time that passed while every process was down is caught by the first pass.
 * Times are compared on the database's clock, not the process's (a worker's may be off); the
 * guarded updates make each run start or expire once however many processes pass at once.
 * A new schedule wakes the passes of every process through the event bus ('runs:scheduled').
 */
export class ScheduledRunStarter {
  private readonly deps: LifecycleDeps;
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private passAgain = false;
  /** The earliest notBefore the last pass found waiting (epoch ms, as stored): the timer fires by then. */
  private nextDue: number | undefined;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;

  constructor(deps: LifecycleDeps) {
    this.deps = deps;
  }

  start(): void {
    const iterator = this.deps.events.subscribe('runs:scheduled');
    this.unsubscribe = () => void iterator.return?.();
    void (async () => {
      // A run due no sooner than the one the timer waits for changes nothing: that pass finds it.
      for await (const { notBefore } of iterator) if (this.nextDue === undefined || Date.parse(notBefore) < this.nextDue) this.wake();
    })().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'scheduled runs: the wake-up subscription ended'));
    this.wake();
  }

  /** Passes now (after the pass in progress, if any). */
  wake(): void {
    if (this.stopped) return;
    if (this.passing) {
      this.passAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.passing = this.pass().finally(() => {
      this.passing = undefined;
      if (this.passAgain) {
        this.passAgain = false;
        this.wake();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.passing, new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private async pass(): Promise<void> {
    let sleepMs = RETRY_MS;
    try {
      await this.expireOverdue();
      while ((await this.queueDue()) === BATCH && !this.stopped);
      sleepMs = await this.untilNext();
    } catch (error) {
      this.nextDue = undefined;
      this.deps.logger.warn({ err: error }, 'scheduled runs: a pass failed; trying again');
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => this.wake(), sleepMs);
  }

  /**
   * Moves due runs to QUEUED (the oldest first, at most BATCH) and queues them; returns how many.
   * No status message per run: QUEUED is a step on the way (subscribers see RUNNING when a worker
   * takes it), and a thousand messages published in one go overflow the in-process bus's
   * subscribers (at most 1,024 pending each), which ends the process.
   */
  private async queueDue(): Promise<number> {
    const { prisma } = this.deps;
    const due = await prisma.$queryRawUnsafe<Array<{ id: string; productId: string }>>(
      `UPDATE "ProvisioningRun" SET status = 'QUEUED', "queuedAt" = now(), "updatedAt" = now()
        WHERE id IN (SELECT id FROM "ProvisioningRun" WHERE status = 'SCHEDULED' AND "notBefore" <= now() AND ("notAfter" IS NULL OR "notAfter" > now())
                     ORDER BY "notBefore", id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING id, "productId"`,
    );
    const byProduct = Map.groupBy(due, (run) => run.productId);
    const products = await prisma.product.findMany({ where: { id: { in: [...byProduct.keys()] } }, select: { id: true, maxConcurrentRuns: true, targetId: true, targetHosts: true } });
    for (const product of products) await enqueueRuns(this.deps, product.id, byProduct.get(product.id)!.map((run) => run.id), product);
    if (due.length) this.deps.logger.info({ runs: due.length }, 'scheduled runs queued at their time');
    return due.length;
  }

  /**
   * Ends EXPIRED the scheduled runs whose notAfter passed before they could start (a provision's
   * items go back). The status update takes a run for this process; finishing it is a second
   * step, which a later pass does for a run taken by a process that died in between.
   */
  private async expireOverdue(): Promise<void> {
    const { prisma } = this.deps;
    const taken = await prisma.$queryRawUnsafe<Array<{ id: string }>>(
      `UPDATE "ProvisioningRun" SET status = 'EXPIRED', "updatedAt" = now() WHERE status = 'SCHEDULED' AND "notAfter" <= now() RETURNING id`,
    );
    const leftUnfinished = await prisma.$queryRawUnsafe<Array<{ id: string }>>(
      `SELECT id FROM "ProvisioningRun" WHERE status = 'EXPIRED' AND "finishedAt" IS NULL AND "updatedAt" < now() - make_interval(secs => $1)`,
      ABANDONED_AFTER_MS / 1000,
    );
    for (const { id } of [...taken, ...leftUnfinished]) {
      const run = (await prisma.provisioningRun.findUniqueOrThrow({ where: { id }, include: LOADED_RUN_INCLUDE })) as LoadedRun;
      await finishRun(this.deps, run, { status: 'EXPIRED', reason: `not started by its notAfter, ${run.notAfter?.toISOString()}`, neverStarted: true });
    }
  }

  /** Milliseconds until the next scheduled run's time, by the database's clock (at most RECHECK_MS). */
  private async untilNext(): Promise<number> {
    const [next] = await this.deps.prisma.$queryRawUnsafe<Array<{ at: Date | null; ms: number | null }>>(
      `SELECT min("notBefore") AS at, (EXTRACT(EPOCH FROM (min("notBefore") - now())) * 1000)::float8 AS ms FROM "ProvisioningRun" WHERE status = 'SCHEDULED'`,
    );
    this.nextDue = next?.at ? new Date(next.at).getTime() : undefined;
    const ms = next?.ms;
    return ms === null || ms === undefined ? RECHECK_MS : Math.min(RECHECK_MS, Math.max(0, Math.ceil(ms)));
  }
}
