import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/boot/app.ts';
import { NO_WEBHOOK_METRICS } from '../src/domain/ports/metrics.ts';
import type { DeliveryQueue } from '../src/domain/ports/webhooks.ts';
import { WebhookDispatcher, type DispatcherDeps } from '../src/domain/webhooks/index.ts';
import { createHttpWebhookSender } from '../src/infra/webhooks/http-sender.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { type Endpoint, rawQuery } from './support/client.ts';
import { profile } from './support/database.ts';
import { eventually } from './support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

// A sender holds a delivery with a lease in the database (timeout + margin); a sender that dies
// during an attempt leaves it held. It must be taken up when the lease ends, not by the sweep a
// minute later.

const RETRY_BASE_MS = 200;
const TIMEOUT_MS = 1000;
const webhooks = { allowedHosts: ['127.0.0.1'], retryBaseMs: RETRY_BASE_MS, maxAttempts: 3, timeoutMs: TIMEOUT_MS };
const silent = pino({ level: 'silent' });

let server: TestApp;
const receivers: WebhookReceiver[] = [];
beforeAll(async () => {
  server = await startTestApp({ webhooks });
});
afterAll(async () => {
  await server?.close();
  for (const receiver of receivers) await receiver.close();
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

/** An endpoint for RUN_FAILED (never raised here), returning its raw id. */
async function createEndpoint(endpoint: Endpoint, name: string, url: string): Promise<string> {
  const result = (
    await rawQuery(endpoint, `mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename ... on CreateWebhookEndpointSuccess { issued { endpoint { id } } } } }`, {
      input: { name, url, events: ['RUN_FAILED'] },
    })
  ).createWebhookEndpoint;
  expect(result.__typename).toBe('CreateWebhookEndpointSuccess');
  return Buffer.from(result.issued.endpoint.id as string, 'base64').toString('utf8').split(':').pop()!;
}

/** What a sender that died during its first attempt leaves: the delivery held until `lockedUntil`. */
function leftBehind(endpointId: string, lockedUntil: Date) {
  return { endpointId, event: 'RUN_FAILED' as const, payload: { type: 'run.failed' }, attemptLimit: 3, attempts: 1, nextAttemptAt: new Date(lockedUntil.getTime() - 60_000), lastAttemptAt: new Date(lockedUntil.getTime() - 60_000), lockedUntil };
}

function dispatcher(overrides: Partial<DispatcherDeps> & Pick<DispatcherDeps, 'queue'>): WebhookDispatcher {
  return new WebhookDispatcher({
    prisma: server.app.database.prisma,
    secrets: server.app.context.secrets,
    sender: createHttpWebhookSender({ policy: { allowedHosts: ['127.0.0.1'] }, timeoutMs: TIMEOUT_MS }),
    logger: silent,
    retryBaseMs: RETRY_BASE_MS,
    timeoutMs: TIMEOUT_MS,
    sweepIntervalMs: 600_000,
    metrics: NO_WEBHOOK_METRICS,
    ...overrides,
  });
}

/** A queue that only notes what it is asked. */
function recordingQueue() {
  const scheduled: Array<[string, number]> = [];
  const watched: Array<[string, number]> = [];
  const queue: DeliveryQueue = {
    schedule: async (id, at) => void scheduled.push([id, at.getTime()]),
    watchLease: async (id, leaseEnd) => void watched.push([id, leaseEnd.getTime()]),
    start: () => {},
    close: async () => {},
  };
  return { queue, scheduled, watched };
}

describe('a lease left by a dead sender', () => {
  it('is claimed by a look on its last millisecond, and the new lease is watched', async () => {
    const { prisma } = server.app.database;
    const hook = await receiver();
    const endpointId = await createEndpoint(server, 'last-millisecond', hook.url);
    // Far ahead of the real clock: the server's own sender never takes it; the dispatcher's clock is pinned there.
    const leaseEnd = Date.now() + 3_600_000;
    const held = await prisma.webhookDelivery.create({ data: leftBehind(endpointId, new Date(leaseEnd)) });
    const { queue, scheduled, watched } = recordingQueue();
    await dispatcher({ queue, now: () => leaseEnd }).deliver(held.id);
    expect(hook.received).toHaveLength(1);
    expect(await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: held.id } })).toMatchObject({ status: 'DELIVERED', attempts: 2, lockedUntil: null });
    expect(watched).toEqual([[held.id, leaseEnd + TIMEOUT_MS + 30_000]]);
    expect(scheduled).toEqual([]);

    // A millisecond earlier it is still held: looked at again when the lease ends.
    const other = await prisma.webhookDelivery.create({ data: leftBehind(endpointId, new Date(leaseEnd)) });
    await dispatcher({ queue, now: () => leaseEnd - 1 }).deliver(other.id);
    expect(scheduled).toEqual([[other.id, leaseEnd]]);
    expect(hook.received).toHaveLength(1);
  });

  it('a sender that fails during the attempt leaves the delivery to the look at its lease end', async () => {
    const { prisma } = server.app.database;
    const endpointId = await createEndpoint(server, 'sender-fails', 'http://127.0.0.1:9/never');
    const delivery = await prisma.webhookDelivery.create({ data: { endpointId, event: 'RUN_FAILED', payload: {}, attemptLimit: 3, nextAttemptAt: new Date() } });
    const { queue, scheduled } = recordingQueue();
    const now = Date.now();
    const failing = dispatcher({ queue, now: () => now, sender: { send: () => Promise.reject(new Error('the sender broke')) } });
    await expect(failing.deliver(delivery.id)).rejects.toThrow('the sender broke');
    const leaseEnd = now + TIMEOUT_MS + 30_000;
    expect(await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ attempts: 1, lockedUntil: new Date(leaseEnd) });
    expect(scheduled).toEqual([[delivery.id, leaseEnd]]);
  });

  it('a restarted process sends every delivery its predecessor held as soon as the lease ends, not at the minute sweep', async () => {
    const hook = await receiver();
    const first = await startTestApp({ webhooks });
    let restarted: ReturnType<typeof buildApp> | undefined;
    try {
      const endpointId = await createEndpoint(first, 'restart', hook.url);
      // Several, as a process sending several leaves them, their leases ending a little apart:
      // each timer set for a lease's end must take its delivery, whichever millisecond it fires on.
      const leaseEnd = new Date(Date.now() + 8_000);
      const leases = Array.from({ length: 12 }, (_, index) => leftBehind(endpointId, new Date(leaseEnd.getTime() + index * 100)));
      const { count } = await first.app.database.prisma.webhookDelivery.createMany({ data: leases });
      expect(count).toBe(12);
      await first.app.stop();
      restarted = buildApp(first.config, { logger: silent });
      await restarted.start();
      // The sweep would take them a minute after the start; the lease's end is well before.
      await eventually(() => hook.received.length, (received) => received === 12, 'the twelve deliveries', leaseEnd.getTime() - Date.now() + 15_000);
      expect(Math.min(...hook.received.map((request) => request.receivedAt))).toBeGreaterThanOrEqual(leaseEnd.getTime());
      const rows = await restarted.database.prisma.webhookDelivery.findMany({ where: { endpointId } });
      expect(rows.map((row) => [row.status, row.attempts])).toEqual(Array.from({ length: 12 }, () => ['DELIVERED', 2]));
    } finally {
      await restarted?.stop();
      await first.close();
    }
  });
});

describe.skipIf(profile !== 'postgres')('a lease on the cluster queue (pg-boss)', () => {
  it('a worker that dies during an attempt: another sends the delivery when the lease ends, without a restart or the sweep', async () => {
    const { openPgBoss } = await import('../src/infra/queue/pg-boss-queue.ts');
    const { createPgBossDeliveryQueue } = await import('../src/infra/queue/pg-boss-delivery-queue.ts');
    const { prisma } = server.app.database;
    const hook = await receiver();
    const endpointId = await createEndpoint(server, 'cluster-lease', hook.url);
    const boss = await openPgBoss(server.config.databaseUrl!, silent);
    const onError = (deliveryId: string, error: unknown) => silent.error({ err: error, deliveryId });
    const liveQueue = await createPgBossDeliveryQueue({ boss, logger: silent, concurrency: 2, onError });
    const deadQueue = await createPgBossDeliveryQueue({ boss, logger: silent, concurrency: 0, onError });
    const live = dispatcher({ queue: liveQueue, leaseMarginMs: 1000 });
    try {
      // The other worker runs before the delivery exists: its start-up sweep cannot be what finds it.
      await live.start();
      const delivery = await prisma.webhookDelivery.create({ data: { endpointId, event: 'RUN_FAILED', payload: { type: 'run.failed' }, attemptLimit: 3, nextAttemptAt: new Date() } });
      // Claims it and never hears back, as a worker killed during the POST.
      const dead = dispatcher({ queue: deadQueue, leaseMarginMs: 1000, sender: { send: () => new Promise(() => {}) } });
      void dead.deliver(delivery.id);
      const claimed = await eventually(() => prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } }), (row) => row.attempts === 1, 'the claim');
      await eventually(() => hook.received.length, (received) => received === 1, 'the delivery after the lease', 20_000);
      expect(hook.received[0]!.receivedAt).toBeGreaterThanOrEqual(claimed.lockedUntil!.getTime());
      await eventually(() => prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } }), (row) => row.status === 'DELIVERED', 'the delivered row');
      expect(await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ attempts: 2, lockedUntil: null });
    } finally {
      live.stop();
      await liveQueue.close();
      await deadQueue.close();
      await boss.stop({ graceful: false, close: true });
    }
  });
});
