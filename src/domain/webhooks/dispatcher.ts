import type { PrismaClient } from '#generated/prisma/client.ts';
import type { Logger } from '../../logger.ts';
import type { WebhookMetrics } from '../ports/metrics.ts';
import type { DeliveryQueue, WebhookResponse, WebhookSender } from '../ports/webhooks.ts';
import type { SecretBox } from '../secrets/index.ts';
import { signingSecrets } from './endpoints.ts';
import { EVENT_TYPES } from './events.ts';
import { signedHeaders } from './signing.ts';

const HOUR_MS = 3_600_000;
/** A sender holds a delivery for its timeout plus this; a sender that died lets it go then. */
const LEASE_MARGIN_MS = 30_000;
/** Deliveries the sweep schedules at once; the next sweep takes the rest. */
const SWEEP_BATCH = 1000;
/** Stored in the log: enough to see what the receiver said. */
const MAX_ERROR_LENGTH = 500;

export interface DispatcherDeps {
  prisma: PrismaClient;
  secrets: SecretBox;
  sender: WebhookSender;
  queue: DeliveryQueue;
  logger: Logger;
  /** The first retry waits this long, each next one twice as long, up to an hour. */
  retryBaseMs: number;
  timeoutMs: number;
  /** How often the queue's memory is checked against the deliveries table. */
  sweepIntervalMs: number;
  metrics: WebhookMetrics;
  /** How long past its timeout a sender holds a delivery: LEASE_MARGIN_MS unless a test shortens it. */
  leaseMarginMs?: number;
  /**
   * The time in epoch ms: the database's, since leases and due times are written by one process
   * and compared by others (whose clocks may differ), unless a test pins it.
   */
  now?: () => number | Promise<number>;
}

/**
 * Sends due webhook deliveries: claims one (so two processes never send it at once), signs and
 * POSTs it, and records the answer: DELIVERED on a 2xx, else the next attempt after an
 * exponential backoff, or FAILED when its attempts are used up. At least once: a sender that
 * dies after the receiver answered sends it again, with the same webhook-id.
 */
export class WebhookDispatcher {
  private readonly deps: DispatcherDeps;
  private readonly now: () => number | Promise<number>;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(deps: DispatcherDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => databaseNow(deps.prisma));
  }

  /**
   * Starts sending: every PENDING delivery at its time (a restarted process's queue may have lost
   * them), then whatever the queue hands over; now and then, the ones overdue by a sweep interval
   * (a crash between a commit and the queue).
   */
  async start(): Promise<void> {
    this.deps.queue.start((deliveryId) => this.deliver(deliveryId));
    await this.sweep();
    this.sweeper = setInterval(() => {
      this.sweepOverdue().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'webhook sweep failed'));
    }, this.deps.sweepIntervalMs);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private async sweepOverdue(): Promise<void> {
    await this.sweep(new Date((await this.now()) - this.deps.sweepIntervalMs));
  }

  /** Schedules the PENDING deliveries (due before `dueBefore`, unless every one) at their time. */
  async sweep(dueBefore?: Date): Promise<number> {
    const now = new Date(await this.now());
    const pending = await this.deps.prisma.webhookDelivery.findMany({
      where: { status: 'PENDING', ...(dueBefore ? { nextAttemptAt: { lt: dueBefore }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] } : {}) },
      orderBy: { nextAttemptAt: 'asc' },
      take: SWEEP_BATCH,
      select: { id: true, nextAttemptAt: true, lockedUntil: true },
    });
    for (const delivery of pending) {
      const at = Math.max(delivery.nextAttemptAt?.getTime() ?? 0, delivery.lockedUntil?.getTime() ?? 0);
      await this.deps.queue.schedule(delivery.id, new Date(at));
    }
    return pending.length;
  }

  /**
   * One attempt at a delivery, if it is due and nobody else holds it. A lease ends on its last
   * millisecond: a look at that very millisecond (the timer set for the lease's end) claims it.
   */
  async deliver(deliveryId: string): Promise<void> {
    const now = new Date(await this.now());
    const leaseEnd = new Date(now.getTime() + this.deps.timeoutMs + (this.deps.leaseMarginMs ?? LEASE_MARGIN_MS));
    const { count } = await this.deps.prisma.webhookDelivery.updateMany({
      where: { id: deliveryId, status: 'PENDING', nextAttemptAt: { lte: now }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
      data: { lockedUntil: leaseEnd, attempts: { increment: 1 }, lastAttemptAt: now },
    });
    if (count === 0) {
      await this.notYet(deliveryId, now);
      return;
    }
    try {
      // Should this process die during the attempt, a queue that outlives it looks again then.
      await this.deps.queue.watchLease(deliveryId, leaseEnd);
      await this.attempt(deliveryId);
    } catch (error) {
      // The attempt was not recorded: looked at again when the lease ends, not left to the sweep.
      await this.deps.queue.schedule(deliveryId, leaseEnd).catch(() => {});
      throw error;
    }
  }

  /** Sends a claimed delivery and records the answer. */
  private async attempt(deliveryId: string): Promise<void> {
    const delivery = await this.deps.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { endpoint: true } });
    if (!delivery.endpoint.enabled) {
      await this.record(deliveryId, { status: 'FAILED', lastError: 'the endpoint is disabled; resend after enabling it' });
      return;
    }
    const secrets = signingSecrets(this.deps.secrets, delivery.endpoint);
    const body = JSON.stringify(delivery.payload);
    const sentAt = performance.now();
    // A hub's event goes to its listener for that event (TMF630): {callback}/listener/serviceOrderStateChangeEvent.
    const hubEvent = delivery.hubEventType;
    const url = hubEvent ? `${delivery.endpoint.url.replace(/\/+$/, '')}/listener/${hubEvent[0]!.toLowerCase()}${hubEvent.slice(1)}` : delivery.endpoint.url;
    const response = await this.deps.sender.send({
      url,
      headers: signedHeaders(secrets, { id: delivery.id, eventType: hubEvent ?? EVENT_TYPES[delivery.event] }, new Date(), body),
      body,
    });
    const attempted = (outcome: 'delivered' | 'retrying' | 'failed') => this.deps.metrics.attempted(delivery.event, outcome, (performance.now() - sentAt) / 1000);
    const statusCode = 'statusCode' in response ? response.statusCode : null;
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      await this.record(deliveryId, { status: 'DELIVERED', deliveredAt: new Date(), lastStatusCode: statusCode, lastError: null, nextAttemptAt: null });
      attempted('delivered');
      return;
    }
    const lastError = failureOf(response);
    attempted(delivery.attempts >= delivery.attemptLimit ? 'failed' : 'retrying');
    if (delivery.attempts >= delivery.attemptLimit) {
      await this.record(deliveryId, { status: 'FAILED', lastStatusCode: statusCode, lastError, nextAttemptAt: null });
      this.deps.logger.warn({ deliveryId, endpoint: delivery.endpoint.name, attempts: delivery.attempts, lastError }, 'webhook delivery failed for good');
      return;
    }
    const nextAttemptAt = new Date((await this.now()) + backoffMs(this.deps.retryBaseMs, delivery.attempts));
    await this.record(deliveryId, { lastStatusCode: statusCode, lastError, nextAttemptAt });
    await this.deps.queue.schedule(deliveryId, nextAttemptAt);
  }

  /**
   * A delivery handed over before its time (a timer a little early, a queue whose clock differs
   * from the database's) or while another sender holds it: looked at again then, not dropped.
   * One that is due and free yet was not claimed changed meanwhile: looked at again after a
   * retry base, never left to the sweep (nor taken up at once, which could spin).
   */
  private async notYet(deliveryId: string, now: Date): Promise<void> {
    const delivery = await this.deps.prisma.webhookDelivery.findUnique({ where: { id: deliveryId }, select: { status: true, nextAttemptAt: true, lockedUntil: true } });
    if (delivery?.status !== 'PENDING' || !delivery.nextAttemptAt) return;
    const at = Math.max(delivery.nextAttemptAt.getTime(), delivery.lockedUntil?.getTime() ?? 0);
    await this.deps.queue.schedule(deliveryId, new Date(at > now.getTime() ? at : now.getTime() + this.deps.retryBaseMs));
  }

  /** The attempt's result; nothing when the endpoint (and its log) was deleted meanwhile. */
  private async record(deliveryId: string, data: Parameters<PrismaClient['webhookDelivery']['updateMany']>[0]['data']): Promise<void> {
    await this.deps.prisma.webhookDelivery.updateMany({ where: { id: deliveryId }, data: { ...data, lockedUntil: null } });
  }
}

/** Before attempt n + 1: base × 2^(n−1), at most an hour, ±20 % so that retries of many deliveries spread out. */
export function backoffMs(baseMs: number, attemptsMade: number): number {
  const exponential = Math.min(baseMs * 2 ** Math.min(attemptsMade - 1, 30), HOUR_MS);
  return Math.round(exponential * (0.8 + Math.random() * 0.4));
}

function failureOf(response: WebhookResponse): string {
  const text = 'error' in response ? response.error : `HTTP ${response.statusCode}${response.statusCode >= 300 && response.statusCode < 400 ? ' (redirects are not followed)' : ''}${response.body ? `: ${response.body}` : ''}`;
  return text.slice(0, MAX_ERROR_LENGTH);
}

async function databaseNow(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<Array<{ now: Date }>>`SELECT now() AS now`;
  return row!.now.getTime();
}
