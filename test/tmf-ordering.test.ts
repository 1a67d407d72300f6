import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpPartner } from './support/access.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import type { Endpoint } from './support/client.ts';
import { query, rawQuery } from './support/client.ts';
import { AddInventoryMutation, InventoryQuery, PoolsQuery } from './support/documents.ts';
import { eventually } from './support/wait.ts';
import { startWebhookReceiver, verifyWebhook } from './support/webhook-receiver.ts';
import { specProblems } from '../src/tmf/validation.ts';

// TMF641 over a real server and the real engine: the CTK's contract (create with the minimum,
// get, filters, fields, 404, error bodies), then what the CTKs never test: an order's life driven
// by its runs, dependencies and a failing item, a PATCH of the state, partner isolation, and many
// orders racing for a small pool.

const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';
const PASSWORD = 'tmf-order-sip-password';

let server: TestApp;
let voipSpec: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are read loosely by design
type Resource = Record<string, any>;

async function call(endpoint: Endpoint, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(new URL(path, endpoint.url), {
    method,
    headers: { authorization: `Bearer ${endpoint.key}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as Resource };
}

const customer = (id: string) => [{ id, role: 'Customer', '@referredType': 'Customer', '@type': 'RelatedParty' }];

/** A VoIP line to add, as a BSS would order it. */
function addLine(id: string, characteristics: Record<string, unknown> = {}, dependsOn: string[] = []) {
  return {
    id,
    action: 'add',
    service: {
      serviceSpecification: { id: voipSpec },
      serviceCharacteristic: Object.entries({ caller_id_name: `Line ${id}`, sip_password: PASSWORD, ...characteristics }).map(([name, value]) => ({ name, value })),
    },
    ...(dependsOn.length ? { serviceOrderItemRelationship: dependsOn.map((itemId) => ({ relationshipType: 'dependency', orderItem: { itemId, '@referredType': 'ServiceOrderItem' } })) } : {}),
  };
}

async function settled(endpoint: Endpoint, id: string, timeoutMs = 120_000): Promise<Resource> {
  return eventually(async () => (await call(endpoint, 'GET', `${ORDERS}/${id}`)).body, (order) => ['completed', 'failed', 'partial', 'rejected', 'cancelled'].includes(order.state), `order ${id} to finish`, timeoutMs);
}

beforeAll(async () => {
  server = await startTestApp({ maxConcurrentRuns: 4, webhooks: { allowedHosts: ['127.0.0.1'], retryBaseMs: 100, maxAttempts: 3, timeoutMs: 2000 } }, { demo: true });
  const specs = await call(server, 'GET', '/tmf-api/serviceCatalogManagement/v4/serviceSpecification?name=VoIP%20line&fields=id');
  voipSpec = specs.body[0].id;
  // Numbers for the lines the tests before the contention test keep (the demo has 8).
  const numbers = Array.from({ length: 12 }, (_, i) => ({ kind: 'PHONE_NUMBER' as const, identifier: `+4930555${String(i).padStart(4, '0')}9` }));
  expect((await query(server, AddInventoryMutation, { items: numbers })).addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
});
afterAll(async () => {
  await server?.close();
});

describe('TMF641 serviceOrder contract', () => {
  it('creates with the minimum: 201, Location, id, href, state, orderDate and the items', async () => {
    const created = await call(server, 'POST', ORDERS, { relatedParty: customer('ctk-1'), serviceOrderItem: [addLine('1')] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ '@type': 'ServiceOrder', state: 'acknowledged', serviceOrderItem: [{ id: '1', action: 'add', state: 'acknowledged' }] });
    expect(created.headers.get('location')).toBe(created.body.href);
    expect(Date.parse(created.body.orderDate)).not.toBeNaN();
    const byId = await call(server, 'GET', created.body.href);
    expect(byId.status).toBe(200);
    expect(byId.body.id).toBe(created.body.id);
    // What the server answers conforms to the specification's own schema.
    expect(specProblems('serviceOrdering', 'ServiceOrder', created.body)).toEqual([]);
    expect(specProblems('serviceOrdering', 'ServiceOrder', byId.body)).toEqual([]);
    expect(JSON.stringify(byId.body)).not.toContain(PASSWORD);
    expect((await settled(server, created.body.id)).state).toBe('completed');
  });

  it('answers filters, fields, an unknown id, and bodies the specification refuses with TMF errors', async () => {
    const created = await call(server, 'POST', ORDERS, { externalId: 'ctk-filter', relatedParty: customer('ctk-2'), serviceOrderItem: [addLine('1')] });
    const found = await call(server, 'GET', `${ORDERS}?externalId=ctk-filter&fields=state,externalId`);
    expect(found.body).toEqual([{ id: created.body.id, href: created.body.href, '@type': 'ServiceOrder', externalId: 'ctk-filter', state: expect.any(String) }]);
    expect((await call(server, 'GET', `${created.body.href}?fields=state`)).body).toEqual({ id: created.body.id, href: created.body.href, '@type': 'ServiceOrder', state: expect.any(String) });
    expect((await call(server, 'GET', `${created.body.href}?fields=serviceOrderItem`)).body.serviceOrderItem).toHaveLength(1);
    const missing = await call(server, 'GET', `${ORDERS}/00000000-0000-4000-8000-000000000000`);
    expect(missing).toMatchObject({ status: 404, body: { '@type': 'Error', code: 'NOT_FOUND', status: '404' } });
    expect(specProblems('serviceOrdering', 'Error', missing.body)).toEqual([]);
    expect(await call(server, 'POST', ORDERS, { serviceOrderItem: [{ id: '1', action: 'upgrade', service: {} }] })).toMatchObject({
      status: 400,
      body: { code: 'SCHEMA_VIOLATION', message: expect.stringContaining('serviceOrderItem.0.action: must be one of add, modify, delete, noChange') },
    });
    expect(await call(server, 'POST', ORDERS, '{"serviceOrderItem": [', 'application/json')).toMatchObject({ status: 400, body: { message: 'the body is not valid JSON' } });
    expect((await call(server, 'POST', ORDERS, 'x', 'text/plain')).status).toBe(415);
    expect(await call(server, 'POST', ORDERS, { state: 'completed', serviceOrderItem: [addLine('1')] })).toMatchObject({ status: 400, body: { code: 'SERVER_OWNED_ATTRIBUTE' } });
    // Every issue at once, and nothing stored.
    const before = (await call(server, 'GET', `${ORDERS}?fields=none`)).body.length;
    const invalid = await call(server, 'POST', ORDERS, { serviceOrderItem: [addLine('1', { caller_id_name: 7 }), { ...addLine('2'), service: { serviceSpecification: { id: '00000000-0000-4000-8000-000000000000' } } }] });
    expect(invalid).toMatchObject({ status: 400, body: { code: 'INVALID_ORDER' } });
    expect(invalid.body.message).toMatch(/items\.0\.serviceCharacteristic\.caller_id_name[\s\S]*items\.0\.relatedParty[\s\S]*items\.1\.serviceSpecification/);
    expect((await call(server, 'GET', `${ORDERS}?fields=none`)).body.length).toBe(before);
    const unknownIds = await call(server, 'POST', ORDERS, { relatedParty: customer('x'), serviceOrderItem: [{ ...addLine('1'), service: { serviceSpecification: { id: 'not-a-uuid' } } }, { id: '2', action: 'delete', service: { id: 'nor-this' } }] });
    expect(unknownIds).toMatchObject({ status: 400, body: { code: 'INVALID_ORDER', message: expect.stringMatching(/no service specification not-a-uuid[\s\S]*no service nor-this/) } });
    const huge = await call(server, 'POST', ORDERS, { note: [{ text: 'x'.repeat(9 * 1024 * 1024) }], serviceOrderItem: [addLine('1')] });
    expect(huge).toMatchObject({ status: 413, body: { code: 'REQUEST_ENTITY_TOO_LARGE', '@type': 'Error' } });
  });

  it('gives the same order for the same externalId, and refuses it for a different order', async () => {
    const body = { externalId: 'bss-order-7', relatedParty: customer('idem'), serviceOrderItem: [addLine('1')] };
    const [first, second] = await Promise.all([call(server, 'POST', ORDERS, body), call(server, 'POST', ORDERS, body)]);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.serviceOrderItem[0].service.id).toBe(first.body.serviceOrderItem[0].service.id);
    const other = await call(server, 'POST', ORDERS, { ...body, serviceOrderItem: [addLine('1', { caller_id_name: 'Someone else' })] });
    expect(other).toMatchObject({ status: 409, body: { code: 'CONFLICT', message: expect.stringContaining('bss-order-7') } });
    await settled(server, first.body.id);
  });

  it('refuses a PATCH of the state or the items, and merges one of the client\'s own attributes', async () => {
    const created = await call(server, 'POST', ORDERS, { relatedParty: customer('patch'), serviceOrderItem: [addLine('1')] });
    const stateful = await call(server, 'PATCH', created.body.href, { state: 'completed' }, 'application/merge-patch+json');
    expect(stateful).toMatchObject({ status: 400, body: { code: 'NOT_PATCHABLE', message: expect.stringContaining('state') } });
    const patched = await call(server, 'PATCH', created.body.href, { description: 'second line for the office' }, 'application/merge-patch+json');
    expect(patched).toMatchObject({ status: 200, body: { description: 'second line for the office', id: created.body.id } });
    const done = await settled(server, created.body.id);
    expect(done).toMatchObject({ state: 'completed', description: 'second line for the office' });
    expect((await call(server, 'DELETE', created.body.href)).status).toBe(204);
    expect((await call(server, 'GET', created.body.href)).status).toBe(404);
  });
});

describe('TMF641 orders driven by the engine', () => {
  it('goes acknowledged → inProgress → completed with its run', async () => {
    const created = await call(server, 'POST', ORDERS, { relatedParty: customer('life'), serviceOrderItem: [addLine('1', { simulate_delay_seconds: 3 })] });
    expect(created.body.state).toBe('acknowledged');
    const running = await eventually(async () => (await call(server, 'GET', created.body.href)).body, (order) => order.state !== 'acknowledged', 'the order to start');
    expect(running.state).toBe('inProgress');
    expect(running.serviceOrderItem[0].state).toBe('inProgress');
    expect(Date.parse(running.startDate)).not.toBeNaN();
    const done = await settled(server, created.body.id);
    expect(done).toMatchObject({ state: 'completed', serviceOrderItem: [{ state: 'completed' }] });
    expect(Date.parse(done.completionDate)).toBeGreaterThanOrEqual(Date.parse(running.startDate));
    const service = await call(server, 'GET', done.serviceOrderItem[0].service.href);
    expect(service.body).toMatchObject({ state: 'active', relatedParty: [{ id: 'life' }] });
  });

  it('cancels the item that depends on a failed one: the order is partial, and only the failed item\'s inventory goes back', async () => {
    const before = (await query(server, PoolsQuery, {})).inventoryPools.find((pool) => pool.kind === 'PHONE_NUMBER')!;
    const created = await call(server, 'POST', ORDERS, {
      relatedParty: customer('deps'),
      serviceOrderItem: [addLine('a'), addLine('b', { simulate_failure_at: 'sip_registrar' }), addLine('c', {}, ['b'])],
    });
    expect(created.status).toBe(201);
    const done = await settled(server, created.body.id);
    expect(done.state).toBe('partial');
    expect(done.serviceOrderItem.map((item: Resource) => [item.id, item.state])).toEqual([['a', 'completed'], ['b', 'failed'], ['c', 'cancelled']]);
    expect(done.errorMessage.map((message: Resource) => message.serviceOrderItem[0].itemId)).toEqual(['b', 'c']);
    expect(done.errorMessage[1].message).toContain('item b, which it depends on, ended failed');
    expect(specProblems('serviceOrdering', 'ServiceOrder', done)).toEqual([]);
    const after = (await query(server, PoolsQuery, {})).inventoryPools.find((pool) => pool.kind === 'PHONE_NUMBER')!;
    expect(after.available).toBe(before.available - 1);
    expect(done.serviceOrderItem[2].service.id).toBeUndefined();
  });

  it('cancels an order during its run: cancelled, its run stopped and compensated, the number back in the pool', async () => {
    const available = async () => (await query(server, PoolsQuery, {})).inventoryPools.find((pool) => pool.kind === 'PHONE_NUMBER')!.available;
    const before = await available();
    const created = await call(server, 'POST', ORDERS, { relatedParty: customer('cancel'), serviceOrderItem: [addLine('1', { simulate_delay_seconds: 30 })] });
    await eventually(async () => (await call(server, 'GET', created.body.href)).body.state, (state) => state === 'inProgress', 'the order to start');
    const cancel = await call(server, 'POST', '/tmf-api/serviceOrdering/v4/cancelServiceOrder', { serviceOrder: { id: created.body.id, '@referredType': 'ServiceOrder' }, cancellationReason: 'the customer changed their mind' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    expect(cancel.body).toMatchObject({ '@type': 'CancelServiceOrder', serviceOrder: { id: created.body.id } });
    expect(cancel.headers.get('location')).toBe(cancel.body.href);
    expect(specProblems('serviceOrdering', 'CancelServiceOrder', cancel.body)).toEqual([]);
    const done = await settled(server, created.body.id);
    expect(done).toMatchObject({ state: 'cancelled', cancellationReason: 'the customer changed their mind', serviceOrderItem: [{ state: 'cancelled' }] });
    const task = await eventually(async () => (await call(server, 'GET', cancel.body.href)).body, (body) => body.state === 'done', 'the cancellation to be done');
    expect(Date.parse(task.effectiveCancellationDate)).not.toBeNaN();
    // The compensating deprovision gives the number back.
    await eventually(available, (count) => count === before, 'the number back in the pool');
    expect(await call(server, 'POST', '/tmf-api/serviceOrdering/v4/cancelServiceOrder', { serviceOrder: { id: created.body.id } })).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
  });

  it('modifies a service: inactive suspends it, active resumes it, a characteristic picks the action that takes it', async () => {
    const mobile = (await call(server, 'GET', '/tmf-api/serviceCatalogManagement/v4/serviceSpecification?name=Mobile%20SIM%20plan&fields=id')).body[0].id;
    const added = await settled(server, (await call(server, 'POST', ORDERS, { relatedParty: customer('modify'), serviceOrderItem: [{ id: '1', action: 'add', service: { serviceSpecification: { id: mobile } } }] })).body.id);
    expect(added.state, JSON.stringify(added.errorMessage)).toBe('completed');
    const service = added.serviceOrderItem[0].service;
    const modify = async (change: Record<string, unknown>) => settled(server, (await call(server, 'POST', ORDERS, { serviceOrderItem: [{ id: '1', action: 'modify', service: { id: service.id, ...change } }] })).body.id);
    expect((await modify({ state: 'inactive', serviceCharacteristic: [{ name: 'reason', value: 'lost SIM' }] })).state).toBe('completed');
    expect((await call(server, 'GET', service.href)).body.state).toBe('inactive');
    expect((await modify({ state: 'active' })).state).toBe('completed');
    expect((await call(server, 'GET', service.href)).body.state).toBe('active');
    expect((await modify({ serviceCharacteristic: [{ name: 'data_gb', value: 5 }] })).state).toBe('completed');
    const ambiguous = await call(server, 'POST', ORDERS, { serviceOrderItem: [{ id: '1', action: 'modify', service: { id: service.id, serviceCharacteristic: [{ name: 'simulate_failure', value: false }] } }] });
    expect(ambiguous).toMatchObject({ status: 400, body: { message: expect.stringContaining('more than one action of mobile-sim-plan') } });
  });

  it('keeps a partner to its own orders and granted specifications', async () => {
    const acme = await setUpPartner(server, 'tmf-acme', ['voip-line']);
    const other = await setUpPartner(server, 'tmf-other', ['voip-line']);
    const created = await call(acme, 'POST', ORDERS, { relatedParty: customer('acme-1'), serviceOrderItem: [addLine('1')] });
    expect(created.status).toBe(201);
    expect((await call(other, 'GET', created.body.href)).status).toBe(404);
    expect((await call(other, 'GET', ORDERS)).body).toEqual([]);
    expect((await call(acme, 'GET', ORDERS)).body.map((order: Resource) => order.id)).toEqual([created.body.id]);
    const fibre = (await call(server, 'GET', '/tmf-api/serviceCatalogManagement/v4/serviceSpecification?name=Fibre%20broadband&fields=id')).body[0].id;
    const refused = await call(acme, 'POST', ORDERS, { relatedParty: customer('acme-2'), serviceOrderItem: [{ id: '1', action: 'add', service: { serviceSpecification: { id: fibre } } }] });
    expect(refused).toMatchObject({ status: 400, body: { message: expect.stringContaining('no service specification') } });
    await settled(acme, created.body.id);
  });
});

describe('TMF641 hubs', () => {
  it('tells a hub\'s listener of an order\'s life, signed, at /listener/<event>, as its query asks', async () => {
    const receiver = await startWebhookReceiver();
    const hubs = '/tmf-api/serviceOrdering/v4/hub';
    const all = await call(server, 'POST', hubs, { callback: receiver.url });
    expect(all.status, JSON.stringify(all.body)).toBe(201);
    expect(all.body).toMatchObject({ id: expect.any(String), callback: receiver.url, '@type': 'EventSubscription', secret: expect.stringMatching(/^whsec_/) });
    expect(all.headers.get('location')).toBe(all.body.href);
    const completedOnly = await call(server, 'POST', hubs, { callback: `${receiver.url}/done`, query: 'eventType=ServiceOrderStateChangeEvent&serviceOrder.state=completed' });
    expect(completedOnly.status).toBe(201);
    try {
      const created = await call(server, 'POST', ORDERS, { externalId: 'hub-life', relatedParty: customer('hub'), serviceOrderItem: [addLine('1', { simulate_delay_seconds: 2 })] });
      await settled(server, created.body.id);
      const about = () => receiver.received.filter((request) => JSON.parse(request.body).event?.serviceOrder?.id === created.body.id);
      await eventually(about, (requests) => requests.filter((request) => JSON.parse(request.body).event.serviceOrder.state === 'completed').length === 2, 'the completed order at both hubs');
      const toAll = about().filter((request) => !request.path.startsWith('/hooks/done'));
      const events = toAll.map((request) => ({ path: request.path, body: JSON.parse(request.body) })).sort((a, b) => a.body.eventTime.localeCompare(b.body.eventTime));
      expect(events.map((event) => [event.path, event.body.eventType, event.body.event.serviceOrder.state])).toEqual([
        ['/hooks/listener/serviceOrderCreateEvent', 'ServiceOrderCreateEvent', 'acknowledged'],
        ['/hooks/listener/serviceOrderStateChangeEvent', 'ServiceOrderStateChangeEvent', 'inProgress'],
        ['/hooks/listener/serviceOrderStateChangeEvent', 'ServiceOrderStateChangeEvent', 'completed'],
      ]);
      expect(events[0]!.body).toMatchObject({ eventId: expect.any(String), correlationId: 'hub-life', domain: 'serviceOrdering', event: { serviceOrder: { href: created.body.href } } });
      for (const request of toAll) expect(verifyWebhook(all.body.secret, request.headers, request.body)).toBe(true);
      for (const event of events) expect(specProblems('serviceOrdering', event.body.eventType, event.body)).toEqual([]);
      expect(specProblems('serviceOrdering', 'EventSubscription', all.body)).toEqual([]);
      expect(JSON.stringify(toAll.map((request) => request.body))).not.toContain(PASSWORD);
      const filtered = about().filter((request) => request.path.startsWith('/hooks/done'));
      expect(filtered.map((request) => request.path)).toEqual(['/hooks/done/listener/serviceOrderStateChangeEvent']);
    } finally {
      expect((await call(server, 'DELETE', all.body.href)).status).toBe(204);
      expect((await call(server, 'DELETE', completedOnly.body.href)).status).toBe(204);
      expect((await call(server, 'DELETE', completedOnly.body.href)).status).toBe(404);
      await receiver.close();
    }
  });

  it('tells a service inventory hub of a service\'s states, through an order that adds it and one that deletes it', async () => {
    const receiver = await startWebhookReceiver();
    const hub = await call(server, 'POST', '/tmf-api/serviceInventory/v4/hub', { callback: receiver.url, query: 'eventType=ServiceCreateEvent,ServiceStateChangeEvent' });
    expect(hub.status).toBe(201);
    try {
      const added = await settled(server, (await call(server, 'POST', ORDERS, { relatedParty: customer('svc-hub'), serviceOrderItem: [addLine('1')] })).body.id);
      expect(added.state, JSON.stringify(added.errorMessage)).toBe('completed');
      const serviceId = added.serviceOrderItem[0].service.id as string;
      const deleted = await call(server, 'POST', ORDERS, { serviceOrderItem: [{ id: '1', action: 'delete', service: { id: serviceId } }] });
      expect(deleted.status, JSON.stringify(deleted.body)).toBe(201);
      expect((await settled(server, deleted.body.id)).state).toBe('completed');
      const about = () => receiver.received.map((request) => ({ path: request.path, body: JSON.parse(request.body) })).filter((event) => event.body.event?.service?.id === serviceId);
      const events = (await eventually(about, (list) => list.some((event) => event.body.event.service.state === 'terminated'), 'the terminated service at the hub')).sort((a, b) => a.body.eventTime.localeCompare(b.body.eventTime));
      const states = events.map((event) => event.body.event.service.state);
      // A hub hears of each state the service is seen in, in order and once each; changes that
      // come closer together than the telling (a busy host) may be told as the latest.
      expect(events[0]).toMatchObject({ path: '/hooks/listener/serviceCreateEvent', body: { eventType: 'ServiceCreateEvent', domain: 'serviceInventory' } });
      expect(events.slice(1).map((event) => event.path)).toEqual(events.slice(1).map(() => '/hooks/listener/serviceStateChangeEvent'));
      expect(['reserved', 'active', 'inactive', 'terminated'].filter((state) => states.includes(state))).toEqual(states);
      expect(states.at(-1)).toBe('terminated');
      for (const event of events) expect(specProblems('serviceInventory', event.body.eventType, event.body)).toEqual([]);
      expect(JSON.stringify(events)).not.toContain(PASSWORD);
      expect((await call(server, 'GET', `/tmf-api/serviceInventory/v4/service/${serviceId}`)).body).toMatchObject({ state: 'terminated', endDate: expect.any(String) });
    } finally {
      expect((await call(server, 'DELETE', hub.body.href)).status).toBe(204);
      await receiver.close();
    }
  });

  it('tells a catalog hub of a changed specification, and keeps catalog hubs to the operator', async () => {
    const receiver = await startWebhookReceiver();
    const hub = await call(server, 'POST', '/tmf-api/serviceCatalogManagement/v4/hub', { callback: receiver.url });
    expect(hub.status, JSON.stringify(hub.body)).toBe(201);
    try {
      const changed = await rawQuery(server, 'mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { __typename } }', { id: voipSpec, input: { description: 'A phone line, ordered through TMF641.' } });
      expect(changed.updateProduct.__typename).toBe('UpdateProductSuccess');
      const [event] = await eventually(() => receiver.received, (received) => received.length > 0, 'the catalog event');
      const body = JSON.parse(event!.body);
      expect(event!.path).toBe('/hooks/listener/serviceSpecificationChangeEvent');
      expect(body).toMatchObject({ eventType: 'ServiceSpecificationChangeEvent', event: { serviceSpecification: { id: voipSpec, description: 'A phone line, ordered through TMF641.', version: '2' } } });
      expect(specProblems('serviceCatalog', 'ServiceSpecificationChangeEvent', body)).toEqual([]);
      const partner = await setUpPartner(server, 'tmf-catalog-hub', ['voip-line']);
      expect(await call(partner, 'POST', '/tmf-api/serviceCatalogManagement/v4/hub', { callback: receiver.url })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    } finally {
      expect((await call(server, 'DELETE', hub.body.href)).status).toBe(204);
      await receiver.close();
    }
  });

  it('refuses a callback the URL policy forbids, and a registration without a callback', async () => {
    expect(await call(server, 'POST', '/tmf-api/serviceOrdering/v4/hub', { callback: 'http://10.0.0.1/listener' })).toMatchObject({ status: 400, body: { '@type': 'Error' } });
    expect(await call(server, 'POST', '/tmf-api/serviceOrdering/v4/hub', { query: 'eventType=ServiceOrderCreateEvent' })).toMatchObject({ status: 400, body: { code: 'SCHEMA_VIOLATION' } });
  });
});

describe('TMF641 under contention', () => {
  it('50 orders at once on a pool of 25 numbers: 25 completed, 25 rejected with a reason, no number twice', async () => {
    const pool = (await query(server, PoolsQuery, {})).inventoryPools.find((entry) => entry.kind === 'PHONE_NUMBER')!;
    const extra = Array.from({ length: 25 - pool.available }, (_, i) => ({ kind: 'PHONE_NUMBER' as const, identifier: `+4930666${String(i).padStart(4, '0')}` }));
    expect((await query(server, AddInventoryMutation, { items: extra })).addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
    const placed = await Promise.all(Array.from({ length: 50 }, (_, i) => call(server, 'POST', ORDERS, { relatedParty: customer(`race-${i}`), serviceOrderItem: [addLine('1')] })));
    expect(placed.map((response) => response.status)).toEqual(placed.map(() => 201));
    const done = await Promise.all(placed.map((response) => settled(server, response.body.id, 600_000)));
    const states = done.map((order) => order.state);
    expect(states.filter((state) => state === 'completed')).toHaveLength(25);
    expect(states.filter((state) => state === 'rejected')).toHaveLength(25);
    for (const order of done.filter((entry) => entry.state === 'rejected')) expect(order.errorMessage[0].message).toMatch(/not enough AVAILABLE PHONE_NUMBER/);
    const numbers = await Promise.all(done.filter((order) => order.state === 'completed').map(async (order) => (await call(server, 'GET', `${order.serviceOrderItem[0].service.href}?fields=supportingResource`)).body.supportingResource[0].name));
    expect(new Set(numbers).size).toBe(25);
    const inUse = await query(server, InventoryQuery, { filter: { kind: 'PHONE_NUMBER', status: 'IN_USE' }, first: 100 });
    expect(inUse.inventoryItems.nodes.map((item) => item.identifier).sort()).toEqual(expect.arrayContaining([...numbers].sort()));
  }, 900_000);

  it('one order of more lines than the pool holds: the first lines get the numbers, the others are rejected, the order partial', async () => {
    const pool = (await query(server, PoolsQuery, {})).inventoryPools.find((entry) => entry.kind === 'PHONE_NUMBER')!;
    const extra = Array.from({ length: 3 - pool.available }, (_, i) => ({ kind: 'PHONE_NUMBER' as const, identifier: `+4930777${String(i).padStart(4, '0')}` }));
    expect((await query(server, AddInventoryMutation, { items: extra })).addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
    const placed = await call(server, 'POST', ORDERS, { relatedParty: customer('short-pool'), serviceOrderItem: ['1', '2', '3', '4', '5'].map((id) => addLine(id)) });
    expect(placed.status).toBe(201);
    const states = (order: Resource) => Object.fromEntries(order.serviceOrderItem.map((item: Resource) => [item.id, item.state]));
    // Acknowledged means reserved: the lines the pool could not serve are already refused in the 201.
    expect(states(placed.body)).toMatchObject({ '4': 'rejected', '5': 'rejected' });
    const done = await settled(server, placed.body.id);
    expect(done.state).toBe('partial');
    expect(states(done)).toEqual({ '1': 'completed', '2': 'completed', '3': 'completed', '4': 'rejected', '5': 'rejected' });
    const numbers = await Promise.all(done.serviceOrderItem.slice(0, 3).map(async (item: Resource) => (await call(server, 'GET', `${item.service.href}?fields=supportingResource`)).body.supportingResource[0].name));
    expect(new Set(numbers).size).toBe(3);
    expect((await query(server, PoolsQuery, {})).inventoryPools.find((entry) => entry.kind === 'PHONE_NUMBER')!.available).toBe(0);
  }, 300_000);
});
