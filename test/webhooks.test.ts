/* eslint-disable @typescript-eslint/no-explicit-any -- raw documents (results read loosely); the typed client is exercised by the other suites */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { NO_WEBHOOK_METRICS } from '../src/domain/ports/metrics.ts';
import { WebhookDispatcher } from '../src/domain/webhooks/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from './support/access.ts';
import { freshDataDir, startTestApp, type TestApp } from './support/app.ts';
import { type Endpoint, rawQuery } from './support/client.ts';
import { profile } from './support/database.ts';
import { provision, waitForRun } from './support/runs.ts';
import { spawnServer } from './support/server-process.ts';
import { eventually } from './support/wait.ts';
import { startWebhookReceiver, verifyWebhook, type WebhookReceiver } from './support/webhook-receiver.ts';

let server: TestApp;
const receivers: WebhookReceiver[] = [];
beforeAll(async () => {
  server = await startTestApp({ webhooks: { allowedHosts: ['127.0.0.1'], retryBaseMs: 100, maxAttempts: 3, timeoutMs: 2000 } }, { demo: true });
});
afterAll(async () => {
  await server?.close();
  for (const receiver of receivers) await receiver.close();
});

async function receiver(options: Parameters<typeof startWebhookReceiver>[0] = {}): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(options);
  receivers.push(started);
  return started;
}

const gql = rawQuery;

const CREATE = `mutation Create($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    __typename
    ... on CreateWebhookEndpointSuccess { issued { signingSecret endpoint { id name events enabled } } }
    ... on ValidationError { message issues { path message } }
    ... on Error { message }
  }
}`;

const DELIVERIES = `query Deliveries($filter: WebhookDeliveryFilter) {
  webhookDeliveries(filter: $filter, first: 50) {
    totalCount
    nodes { id deliveryId event eventType status attempts attemptLimit lastStatusCode lastError nextAttemptAt deliveredAt payload endpoint { name } }
  }
}`;

async function createEndpoint(endpoint: Endpoint, input: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const result = (await gql(endpoint, CREATE, { input })).createWebhookEndpoint;
  expect(result.__typename, JSON.stringify(result)).toBe('CreateWebhookEndpointSuccess');
  return { id: result.issued.endpoint.id, secret: result.issued.signingSecret };
}

async function deliveries(endpoint: Endpoint, endpointId: string): Promise<any[]> {
  return (await gql(endpoint, DELIVERIES, { filter: { endpointId } })).webhookDeliveries.nodes;
}

const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':').pop()!;

const voip = (customerRef: string, variables: Record<string, unknown> = {}) => ({
  productSlug: 'voip-line',
  customerRef,
  variables: { caller_id_name: 'Hook', sip_password: 'sip-password-webhooks', ...variables },
});

/** Raises the product's pool alert at once: a threshold above the stock it has. */
async function triggerPoolLow(endpoint: Endpoint, slug: string): Promise<void> {
  const { product } = await gql(endpoint, `query ($slug: String!) { product(slug: $slug) { id pool { provisionsLeft } } }`, { slug });
  const result = await gql(endpoint, `mutation ($id: ID!, $below: Int!) { updateProduct(id: $id, input: { poolAlertBelow: $below }) { __typename ... on Error { message } } }`, {
    id: product.id,
    below: product.pool.provisionsLeft + 1,
  });
  expect(result.updateProduct.__typename).toBe('UpdateProductSuccess');
}

async function clearPoolAlert(endpoint: Endpoint, slug: string): Promise<void> {
  const { product } = await gql(endpoint, `query ($slug: String!) { product(slug: $slug) { id } }`, { slug });
  await gql(endpoint, `mutation ($id: ID!) { updateProduct(id: $id, input: { poolAlertBelow: null }) { __typename } }`, { id: product.id });
}

describe('webhook endpoints', () => {
  it('refuses URLs that are not https, carry credentials, or name a host off the allow-list; only admins manage endpoints', async () => {
    const cases: Array<[string, RegExp]> = [
      ['ftp://127.0.0.1/hooks', /scheme must be https/],
      ['http://user:secret@127.0.0.1/hooks', /credentials do not belong in the URL/],
      ['https://hooks.example.com/provisio', /hooks\.example\.com is not on the webhook allow-list/],
      ['http://127.0.0.1/hooks#part', /fragment/],
      ['not a url', /not a URL/],
    ];
    for (const [url, message] of cases) {
      const result = (await gql(server, CREATE, { input: { name: `bad-${url.length}`, url, events: ['RUN_FINISHED'] } })).createWebhookEndpoint;
      expect(result.__typename, url).toBe('ValidationError');
      expect(result.issues, url).toEqual([{ path: 'url', message: expect.stringMatching(message) }]);
    }
    const noEvents = (await gql(server, CREATE, { input: { name: 'no-events', url: 'http://127.0.0.1/x', events: [] } })).createWebhookEndpoint;
    expect(noEvents.issues).toEqual([{ path: 'events', message: 'subscribe to at least one event' }]);

    const operator = await createKey(server, 'OPERATOR', { name: 'webhook-operator' });
    const denied = (await gql(operator, CREATE, { input: { name: 'op', url: 'http://127.0.0.1/x', events: ['RUN_FINISHED'] } })).createWebhookEndpoint;
    expect(denied.__typename).toBe('ForbiddenError');
    const { webhookEndpoints } = await gql(server, `{ webhookEndpoints { nodes { name } } }`);
    expect(webhookEndpoints.nodes.map((node: { name: string }) => node.name)).not.toContain('op');
  });
});

describe('webhooks on a real HTTP receiver', () => {
  it('signs run.finished and run.failed of a rolled-back run; each endpoint gets only its events; the log shows them DELIVERED', async () => {
    const all = await receiver();
    const failuresOnly = await receiver();
    const everything = await createEndpoint(server, { name: 'all-runs', url: all.url, events: ['RUN_FINISHED', 'RUN_FAILED'] });
    const failures = await createEndpoint(server, { name: 'failures', url: failuresOnly.url, events: ['RUN_FAILED'] });
    expect(everything.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // Sealed at rest like every secret: the row holds no trace of it.
    const stored = await server.app.database.prisma.$queryRawUnsafe<Array<{ row: string }>>(`SELECT row_to_json(e)::text AS row FROM "WebhookEndpoint" e`);
    expect(stored.map(({ row }) => row).join('\n')).not.toContain(everything.secret.slice(6));
    expect(stored.every(({ row }) => row.includes('pvs1:'))).toBe(true);

    const ok = await waitForRun(server, (await provision(server, voip('hook-ok'))).runId);
    const failed = await waitForRun(server, (await provision(server, voip('hook-rescue', { simulate_failure_at: 'voicemail_box' }))).runId);
    expect([ok.status, failed.status]).toEqual(['SUCCEEDED', 'ROLLED_BACK']);

    await eventually(() => all.received.length, (count) => count >= 3, 'three deliveries to the first endpoint');
    await eventually(() => failuresOnly.received.length, (count) => count >= 1, 'one delivery to the second endpoint');
    for (const request of all.received) {
      // The Standard Webhooks library a receiver would use, and the README's few lines of node:crypto.
      expect(() => new Webhook(everything.secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
      expect(verifyWebhook(everything.secret, request.headers, request.body)).toBe(true);
      expect(verifyWebhook(failures.secret, request.headers, request.body)).toBe(false);
      expect(verifyWebhook(everything.secret, request.headers, request.body.replace('"status"', '"Status"'))).toBe(false);
      expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    }
    const bodies = all.received.map((request) => JSON.parse(request.body) as { type: string; data: { run: { id: string; status: string; reason: string | null } } });
    expect(bodies.map((body) => `${body.type} ${body.data.run.id === ok.id ? 'ok' : 'failed'} ${body.data.run.status}`).sort()).toEqual([
      'run.failed failed ROLLED_BACK',
      'run.finished failed ROLLED_BACK',
      'run.finished ok SUCCEEDED',
    ]);
    expect(bodies.find((body) => body.type === 'run.failed')!.data.run.reason).toMatch(/voicemail_box|rescue/);
    expect(failuresOnly.received.map((request) => JSON.parse(request.body).type)).toEqual(['run.failed']);
    expect(failuresOnly.received[0]!.headers['webhook-id']).not.toBe(all.received[0]!.headers['webhook-id']);

    const log = await eventually(() => deliveries(server, everything.id), (nodes) => nodes.every((node) => node.status === 'DELIVERED'), 'the delivery log');
    expect(log).toHaveLength(3);
    for (const delivery of log) expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 1, lastStatusCode: 200, lastError: null });
    expect(new Set(log.map((delivery) => delivery.deliveryId))).toEqual(new Set(all.received.map((request) => request.headers['webhook-id'])));
    for (const id of [everything.id, failures.id]) await gql(server, `mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`, { id });
  });

  it('tells a service NEEDS_ATTENTION and each quarantined item', async () => {
    const hook = await receiver();
    const endpoint = await createEndpoint(server, { name: 'attention', url: hook.url, events: ['SERVICE_NEEDS_ATTENTION', 'ITEM_QUARANTINED'] });
    const started = await provision(server, voip('hook-attention', { simulate_failure_at: 'sip_registrar', simulate_rescue_failure: true }));
    expect((await waitForRun(server, started.runId)).status).toBe('FAILED');
    await eventually(() => hook.received.length, (count) => count >= 2, 'attention and quarantine deliveries');
    const bodies = hook.received.map((request) => JSON.parse(request.body));
    expect(bodies.find((body) => body.type === 'service.needs_attention').data.service).toMatchObject({ id: started.serviceId, status: 'NEEDS_ATTENTION', customerRef: 'hook-attention' });
    const quarantined = bodies.filter((body) => body.type === 'item.quarantined');
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0].data.item).toMatchObject({ kind: 'PHONE_NUMBER' });
    expect(quarantined[0].data.run.id).toBe(started.runId);
    for (const request of hook.received) expect(verifyWebhook(endpoint.secret, request.headers, request.body)).toBe(true);
    await gql(server, `mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
  });

  it('retries a receiver that fails twice with backoff and delivers at the third try, with the same id', async () => {
    const flaky = await receiver({ answers: [500, 503] });
    const endpoint = await createEndpoint(server, { name: 'flaky', url: flaky.url, events: ['POOL_LOW'] });
    await triggerPoolLow(server, 'fibre-broadband');
    await eventually(() => flaky.received.length, (count) => count >= 3, 'three attempts');
    expect(flaky.received.map((request) => request.answeredWith)).toEqual([500, 503, 200]);
    expect(new Set(flaky.received.map((request) => request.headers['webhook-id'])).size).toBe(1);
    const [first, second, third] = flaky.received.map((request) => request.receivedAt) as [number, number, number];
    // Base 100 ms, doubling, ±20 %.
    expect(second - first).toBeGreaterThanOrEqual(80);
    expect(third - second).toBeGreaterThanOrEqual(160);
    for (const request of flaky.received) expect(verifyWebhook(endpoint.secret, request.headers, request.body)).toBe(true);
    const [delivery] = await eventually(() => deliveries(server, endpoint.id), (nodes) => nodes[0]?.status === 'DELIVERED', 'the delivered log entry');
    expect(delivery).toMatchObject({ event: 'POOL_LOW', eventType: 'pool.low', attempts: 3, lastStatusCode: 200, status: 'DELIVERED' });
    expect(JSON.parse(flaky.received[2]!.body).data).toMatchObject({ product: { slug: 'fibre-broadband' }, alertBelow: expect.any(Number), provisionsLeft: expect.any(Number) });
    const metrics = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'), { headers: { authorization: `Bearer ${server.key}` } })).text();
    expect(metrics).toContain('provisio_webhook_attempts_total{event="POOL_LOW",outcome="retrying"} 2');
    expect(metrics).toContain('provisio_webhook_attempts_total{event="POOL_LOW",outcome="delivered"} 1');
    expect(metrics).toMatch(/provisio_webhook_deliveries\{status="DELIVERED"\} [1-9]/);
    await clearPoolAlert(server, 'fibre-broadband');
    await gql(server, `mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
  });

  it('marks a delivery FAILED after its attempts (the receiver\'s answer logged); an admin resends it', async () => {
    const down = await receiver({ fallback: 500 });
    const endpoint = await createEndpoint(server, { name: 'down', url: down.url, events: ['POOL_LOW'] });
    await triggerPoolLow(server, 'mobile-sim-plan');
    const [failed] = await eventually(() => deliveries(server, endpoint.id), (nodes) => nodes[0]?.status === 'FAILED', 'a FAILED delivery');
    expect(failed).toMatchObject({ attempts: 3, attemptLimit: 3, lastStatusCode: 500, lastError: 'HTTP 500: receiver says no (500)', nextAttemptAt: null });
    expect(down.received).toHaveLength(3);

    down.answerFromNowOn(204);
    const resent = (await gql(server, `mutation ($id: ID!) { resendWebhookDelivery(id: $id) { __typename ... on ResendWebhookDeliverySuccess { delivery { status attemptLimit } } } }`, { id: failed.id })).resendWebhookDelivery;
    expect(resent).toMatchObject({ __typename: 'ResendWebhookDeliverySuccess', delivery: { status: 'PENDING', attemptLimit: 6 } });
    const [delivered] = await eventually(() => deliveries(server, endpoint.id), (nodes) => nodes[0]?.status === 'DELIVERED', 'the resent delivery');
    expect(delivered).toMatchObject({ attempts: 4, lastStatusCode: 204, lastError: null });
    expect(down.received.at(-1)!.headers['webhook-id']).toBe(failed.deliveryId);
    expect(down.received.at(-1)!.body).toBe(down.received[0]!.body);
    await clearPoolAlert(server, 'mobile-sim-plan');
  });

  it('pings an endpoint; a rotated secret signs from then on, with the previous one during an overlap; a disabled endpoint gets nothing new', async () => {
    const hook = await receiver();
    const endpoint = await createEndpoint(server, { name: 'ping-me', url: hook.url, events: ['RUN_FINISHED'] });
    await gql(server, `mutation ($id: ID!) { pingWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
    await eventually(() => hook.received.length, (count) => count === 1, 'the ping');
    expect(JSON.parse(hook.received[0]!.body)).toMatchObject({ type: 'ping', data: { endpoint: { name: 'ping-me' } } });
    expect(verifyWebhook(endpoint.secret, hook.received[0]!.headers, hook.received[0]!.body)).toBe(true);

    const rotated = (await gql(server, `mutation ($id: ID!) { rotateWebhookSecret(id: $id) { ... on RotateWebhookSecretSuccess { issued { signingSecret } } } }`, { id: endpoint.id })).rotateWebhookSecret.issued.signingSecret as string;
    expect(rotated).not.toBe(endpoint.secret);
    await gql(server, `mutation ($id: ID!) { pingWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
    await eventually(() => hook.received.length, (count) => count === 2, 'the second ping');
    expect(verifyWebhook(rotated, hook.received[1]!.headers, hook.received[1]!.body)).toBe(true);
    expect(verifyWebhook(endpoint.secret, hook.received[1]!.headers, hook.received[1]!.body)).toBe(false);

    // With an overlap, the previous secret signs too until it ends: receivers switch in their own time.
    const ROTATE = `mutation ($id: ID!, $overlap: Int) { rotateWebhookSecret(id: $id, overlapSeconds: $overlap) { __typename ... on RotateWebhookSecretSuccess { issued { signingSecret endpoint { previousSecretExpiresAt } } } ... on Error { message } } }`;
    const overlapped = (await gql(server, ROTATE, { id: endpoint.id, overlap: 3600 })).rotateWebhookSecret.issued;
    expect(Date.parse(overlapped.endpoint.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(3500_000);
    await gql(server, `mutation ($id: ID!) { pingWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
    await eventually(() => hook.received.length, (count) => count === 3, 'the ping during the overlap');
    const during = hook.received[2]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [overlapped.signingSecret, rotated]) expect(verifyWebhook(secret, during.headers, during.body)).toBe(true);
    expect(() => new Webhook(rotated).verify(during.body, during.headers as Record<string, string>)).not.toThrow();
    expect((await gql(server, ROTATE, { id: endpoint.id, overlap: 8 * 24 * 3600 })).rotateWebhookSecret).toMatchObject({ __typename: 'ValidationError' });
    const final = (await gql(server, ROTATE, { id: endpoint.id, overlap: 0 })).rotateWebhookSecret.issued.signingSecret as string;
    await gql(server, `mutation ($id: ID!) { pingWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
    await eventually(() => hook.received.length, (count) => count === 4, 'the ping after the overlap');
    expect(verifyWebhook(final, hook.received[3]!.headers, hook.received[3]!.body)).toBe(true);
    expect(verifyWebhook(overlapped.signingSecret, hook.received[3]!.headers, hook.received[3]!.body)).toBe(false);

    await gql(server, `mutation ($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { __typename } }`, { id: endpoint.id });
    expect((await waitForRun(server, (await provision(server, voip('hook-disabled'))).runId)).status).toBe('SUCCEEDED');
    expect(await deliveries(server, endpoint.id)).toHaveLength(4);
    expect(hook.received).toHaveLength(4);
  });

  it('shows a product\'s pool in the graph and alerts once per fall below the threshold', async () => {
    const hook = await receiver();
    const endpoint = await createEndpoint(server, { name: 'pools', url: hook.url, events: ['POOL_LOW'] });
    const pool = async () => (await gql(server, `{ product(slug: "voip-line") { id poolAlertBelow pool { provisionsLeft alertBelow low lowSince requirements { kind count available } } } }`)).product;
    const before = await pool();
    expect(before.pool).toMatchObject({ alertBelow: null, low: false, lowSince: null, requirements: [{ kind: 'PHONE_NUMBER', count: 1 }] });
    expect(before.pool.provisionsLeft).toBe(before.pool.requirements[0].available);
    const left = before.pool.provisionsLeft as number;

    // Threshold at what is left: not low yet; one provision takes a number and crosses it.
    await gql(server, `mutation ($id: ID!, $below: Int!) { updateProduct(id: $id, input: { poolAlertBelow: $below }) { __typename } }`, { id: before.id, below: left });
    expect((await pool()).pool).toMatchObject({ alertBelow: left, low: false });
    expect((await waitForRun(server, (await provision(server, voip('hook-pool-1'))).runId)).status).toBe('SUCCEEDED');
    const low = (await pool()).pool;
    expect(low).toMatchObject({ provisionsLeft: left - 1, low: true, lowSince: expect.any(String) });
    await eventually(() => hook.received.length, (count) => count === 1, 'the alert');
    expect(JSON.parse(hook.received[0]!.body).data).toMatchObject({ product: { slug: 'voip-line' }, provisionsLeft: left - 1, alertBelow: left, requirements: [{ kind: 'PHONE_NUMBER', available: left - 1 }] });

    // Lower still: no second alert. Back above: cleared. Below again: a new alert.
    expect((await waitForRun(server, (await provision(server, voip('hook-pool-2'))).runId)).status).toBe('SUCCEEDED');
    await gql(server, `mutation { addInventoryItems(items: [{ kind: PHONE_NUMBER, identifier: "+442079460901" }, { kind: PHONE_NUMBER, identifier: "+442079460902" }]) { __typename } }`);
    expect((await pool()).pool).toMatchObject({ provisionsLeft: left, low: false, lowSince: null });
    expect((await waitForRun(server, (await provision(server, voip('hook-pool-3'))).runId)).status).toBe('SUCCEEDED');
    await eventually(() => hook.received.length, (count) => count === 2, 'the second alert');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hook.received).toHaveLength(2);
    expect(await deliveries(server, endpoint.id)).toHaveLength(2);
    await clearPoolAlert(server, 'voip-line');
    await gql(server, `mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
  });
});

describe('the sender', () => {
  it('takes a delivery handed over before its time up again at that time, without sending or counting it; sweeps only what is overdue', async () => {
    const { prisma } = server.app.database;
    const endpoint = await createEndpoint(server, { name: 'early', url: 'http://127.0.0.1:9/never', events: ['RUN_FAILED'] });
    const due = new Date(Date.now() + 60_000);
    const delivery = await prisma.webhookDelivery.create({ data: { endpointId: rawId(endpoint.id), event: 'RUN_FAILED', payload: {}, attemptLimit: 3, nextAttemptAt: due } });
    const scheduled: Array<[string, Date]> = [];
    const dispatcher = new WebhookDispatcher({
      prisma,
      secrets: server.app.context.secrets,
      sender: { send: () => Promise.reject(new Error('sent before its time')) },
      queue: { schedule: async (id, at) => void scheduled.push([id, at]), watchLease: async () => {}, start: () => {}, close: async () => {} },
      logger: pino({ level: 'silent' }),
      retryBaseMs: 100,
      timeoutMs: 1000,
      sweepIntervalMs: 60_000,
      metrics: NO_WEBHOOK_METRICS,
    });
    await dispatcher.deliver(delivery.id);
    expect(scheduled).toEqual([[delivery.id, due]]);
    expect(await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ status: 'PENDING', attempts: 0, lockedUntil: null });

    // The periodic sweep takes up only what its queue apparently lost: overdue and not held.
    const overdue = await prisma.webhookDelivery.create({ data: { endpointId: rawId(endpoint.id), event: 'RUN_FAILED', payload: {}, attemptLimit: 3, nextAttemptAt: new Date(Date.now() - 120_000) } });
    await prisma.webhookDelivery.create({ data: { endpointId: rawId(endpoint.id), event: 'RUN_FAILED', payload: {}, attemptLimit: 3, nextAttemptAt: new Date(Date.now() - 120_000), lockedUntil: new Date(Date.now() + 60_000) } });
    scheduled.length = 0;
    await dispatcher.sweep(new Date(Date.now() - 60_000));
    expect(scheduled.map(([id]) => id)).toEqual([overdue.id]);
    await gql(server, `mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
  });
});

describe('delivery log retention', () => {
  it('prunes delivered and failed deliveries with the run history; pending ones stay', async () => {
    const { prisma } = server.app.database;
    const endpoint = await createEndpoint(server, { name: 'retention', url: 'http://127.0.0.1:9/never', events: ['RUN_FAILED'] });
    const later = new Date(Date.now() + 3_600_000);
    const pending = await prisma.webhookDelivery.create({ data: { endpointId: rawId(endpoint.id), event: 'RUN_FAILED', payload: {}, attemptLimit: 3, nextAttemptAt: later } });
    const done = await prisma.webhookDelivery.count({ where: { status: { not: 'PENDING' } } });
    expect(done).toBeGreaterThan(0);
    const { pruneRunHistory } = await gql(server, `mutation { pruneRunHistory(olderThanDays: 0) { ... on PruneRunHistorySuccess { pruned { webhookDeliveries } } } }`);
    expect(pruneRunHistory.pruned.webhookDeliveries).toBe(done);
    expect(await prisma.webhookDelivery.count({ where: { status: { not: 'PENDING' } } })).toBe(0);
    expect(await prisma.webhookDelivery.findUnique({ where: { id: pending.id } })).not.toBeNull();
    await gql(server, `mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id });
  });
});

describe.skipIf(profile !== 'embedded')('webhooks across a crash', () => {
  it('a delivery pending when the server is killed with -9 is sent after the restart', async () => {
    const hook = await receiver({ fallback: 503 });
    const dataDir = freshDataDir();
    const env = {
      PROVISIO_DATA_DIR: dataDir,
      PROVISIO_LAB_DIR: path.join(dataDir, 'lab'),
      PROVISIO_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      PROVISIO_WEBHOOK_RETRY_BASE_MS: '1500',
    };
    try {
      const first = await spawnServer(env);
      await createEndpoint(first, { name: 'crash', url: hook.url, events: ['POOL_LOW'] });
      await triggerPoolLow(first, 'voip-line');
      await eventually(() => hook.received.length, (count) => count >= 1, 'a first, refused attempt');
      first.process.kill('SIGKILL');
      await first.process;
      hook.answerFromNowOn(200);
      const attemptsBefore = hook.received.length;

      const second = await spawnServer({ ...env, PROVISIO_ADMIN_KEY: first.key });
      await eventually(() => hook.received.at(-1)?.answeredWith, (status) => status === 200, 'the delivery after the restart', 30_000);
      expect(hook.received.length).toBe(attemptsBefore + 1);
      expect(new Set(hook.received.map((request) => request.headers['webhook-id'])).size).toBe(1);
      const { webhookDeliveries } = await gql(second, DELIVERIES);
      expect(webhookDeliveries.nodes).toMatchObject([{ status: 'DELIVERED', lastStatusCode: 200, attempts: attemptsBefore + 1 }]);
      second.process.kill('SIGTERM');
      expect((await second.process).exitCode).toBe(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
