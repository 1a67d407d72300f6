import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionTransition, type ProductAction } from '../src/domain/catalog/product-actions.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { rawQuery } from './support/client.ts';
import { provision, waitForRun } from './support/runs.ts';

// Actions that reserve or release inventory: the demo VoIP line's add-number and remove-number,
// with the real ansible-playbook, on the profile the suite runs on (TEST_DATABASE_URL: PostgreSQL).

let server: TestApp;
beforeAll(async () => {
  // One run at a time, so a run can be held QUEUED behind a slow one.
  server = await startTestApp({ maxConcurrentRuns: 1 }, { demo: true });
});
afterAll(async () => {
  await server?.close();
});

const ACTION = `mutation RunAction($input: RunServiceActionInput!) {
  runServiceAction(input: $input) {
    __typename
    ... on RunServiceActionSuccess { started { service { id status } run { id status } } }
    ... on ValidationError { issues { path message } }
    ... on InsufficientInventoryError { kind requested available }
    ... on Error { message }
  }
}`;
const SERVICE = `query ($id: ID!) { node(id: $id) { ... on Service { status statusReason inventoryItems { id kind identifier status } runs(first: 50) { nodes { id actionName status } } } } }`;
const POOLS = `{ inventoryPools { kind available reserved inUse quarantined } }`;

const gql = (query: string, variables: Record<string, unknown> = {}) => rawQuery(server, query, variables);

const service = async (id: string) => (await gql(SERVICE, { id })).node as { status: string; statusReason: string | null; inventoryItems: Array<{ id: string; kind: string; identifier: string; status: string }>; runs: { nodes: Array<{ id: string; actionName: string | null; status: string }> } };
const numbers = async (id: string) => (await service(id)).inventoryItems.filter((item) => item.kind === 'PHONE_NUMBER');
const phonePool = async () => ((await gql(POOLS)).inventoryPools as Array<{ kind: string; available: number; reserved: number; inUse: number; quarantined: number }>).find((pool) => pool.kind === 'PHONE_NUMBER')!;
const itemStatus = async (identifier: string) => ((await gql(`query ($s: String) { inventoryItems(filter: { search: $s }) { nodes { identifier status } } }`, { s: identifier })).inventoryItems.nodes as Array<{ identifier: string; status: string }>).find((item) => item.identifier === identifier)!.status;

const request = (serviceId: string, action: string, variables: Record<string, unknown> = {}) => gql(ACTION, { input: { serviceId, action, variables } }).then((data) => data.runServiceAction);

/** Runs an action to its end; returns the run's status. */
async function act(serviceId: string, action: string, variables: Record<string, unknown> = {}): Promise<string> {
  const result = await request(serviceId, action, variables);
  expect(result.__typename, JSON.stringify(result)).toBe('RunServiceActionSuccess');
  return (await waitForRun(server, result.started.run.id)).status;
}

async function newLine(customerRef: string, extra: Record<string, unknown> = {}): Promise<{ serviceId: string; number: string }> {
  const started = await provision(server, { productSlug: 'voip-line', customerRef, variables: { caller_id_name: customerRef, sip_password: 'correct-horse-battery', ...extra } });
  expect((await waitForRun(server, started.runId)).status).toBe('SUCCEEDED');
  return { serviceId: started.serviceId!, number: (await numbers(started.serviceId!))[0]!.identifier };
}

const lineConfig = (number: string) => {
  const file = path.join(server.config.labDir, 'sip/lines', `${number.replace('+', '')}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { line: string; numbers: string[] }) : undefined;
};

describe('add-number and remove-number on a VoIP line', () => {
  let line: { serviceId: string; number: string };
  let added: string;
  beforeAll(async () => {
    line = await newLine('numbers-1');
  });

  it('adds a second number: the service holds both IN_USE and the line config has both', async () => {
    expect(await act(line.serviceId, 'add-number')).toBe('SUCCEEDED');
    const held = await numbers(line.serviceId);
    expect(held.map((item) => item.status)).toEqual(['IN_USE', 'IN_USE']);
    added = held.find((item) => item.identifier !== line.number)!.identifier;
    expect(lineConfig(line.number)).toMatchObject({ line: line.number, numbers: [line.number, added] });
    expect((await service(line.serviceId)).status).toBe('ACTIVE');
  });

  it('rolls a failing add-number back: the reserved number returns to the pool, the line keeps what it had', async () => {
    const before = await phonePool();
    const status = await act(line.serviceId, 'add-number', { simulate_failure: true });
    expect(status).toBe('ROLLED_BACK');
    const after = await service(line.serviceId);
    expect(after.status).toBe('ACTIVE');
    expect(after.inventoryItems.map((item) => item.identifier).sort()).toEqual([line.number, added].sort());
    expect(await phonePool()).toEqual(before);
    expect(lineConfig(line.number)?.numbers).toEqual([line.number, added]);
  });

  it('refuses to remove a number the line does not hold, or its own number', async () => {
    const foreign = await request(line.serviceId, 'remove-number', { number: '+4930555019999' });
    expect(foreign).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'variables.number', message: expect.stringContaining('not a PHONE_NUMBER of this service') }] });
    const own = await request(line.serviceId, 'remove-number', { number: line.number });
    expect(own).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'variables.number', message: expect.stringContaining('provisioned with') }] });
    expect((await service(line.serviceId)).runs.nodes.filter((run) => run.actionName === 'remove-number')).toEqual([]);
  });

  it('removes the added number: it is AVAILABLE again and gone from the line config', async () => {
    expect(await act(line.serviceId, 'remove-number', { number: added })).toBe('SUCCEEDED');
    expect((await numbers(line.serviceId)).map((item) => item.identifier)).toEqual([line.number]);
    expect(await itemStatus(added)).toBe('AVAILABLE');
    expect(lineConfig(line.number)?.numbers).toEqual([line.number]);
  });

  it('deprovisions a line with two numbers through its own number, and frees both', async () => {
    const other = await newLine('numbers-2');
    expect(await act(other.serviceId, 'add-number')).toBe('SUCCEEDED');
    const second = (await numbers(other.serviceId)).find((item) => item.identifier !== other.number)!.identifier;
    const gone = (await gql(`mutation ($id: ID!) { deprovisionService(id: $id) { __typename ... on DeprovisionServiceSuccess { started { run { id } } } } }`, { id: other.serviceId })).deprovisionService;
    expect((await waitForRun(server, gone.started.run.id)).status).toBe('SUCCEEDED');
    expect(await itemStatus(other.number)).toBe('AVAILABLE');
    expect(await itemStatus(second)).toBe('AVAILABLE');
    expect(fs.existsSync(path.join(server.config.labDir, 'sip/registrar', `${other.number.replace('+', '')}.conf`))).toBe(false);
    expect(lineConfig(other.number)).toBeUndefined();
  });

  it('returns the number of an add-number cancelled while QUEUED', async () => {
    const slow = await provision(server, { productSlug: 'voip-line', customerRef: 'numbers-slow', variables: { caller_id_name: 'Slow', sip_password: 'correct-horse-battery', simulate_delay_seconds: 4 } });
    const before = await phonePool();
    const queued = await request(line.serviceId, 'add-number');
    expect(queued.started.run.status).toBe('QUEUED');
    expect(await phonePool()).toMatchObject({ available: before.available - 1, reserved: before.reserved + 1 });
    expect((await numbers(line.serviceId)).map((item) => item.status).sort()).toEqual(['IN_USE', 'RESERVED']);
    const cancelled = (await gql(`mutation ($id: ID!) { cancelRun(id: $id) { __typename ... on CancelRunSuccess { run { status } } } }`, { id: queued.started.run.id })).cancelRun;
    expect(cancelled.run.status).toBe('CANCELED');
    expect(await phonePool()).toEqual(before);
    const after = await service(line.serviceId);
    expect([after.status, after.inventoryItems.map((item) => item.identifier)]).toEqual(['ACTIVE', [line.number]]);
    expect((await waitForRun(server, slow.runId)).status).toBe('SUCCEEDED');
  });

  it('quarantines what an action reserved when it fails without a rescue, and flags the service', async () => {
    // An action whose playbook fails before any block (the mobile playbook on a VoIP line).
    const created = (await gql(`mutation ($input: CreateProductInput!) { createProduct(input: $input) { __typename ... on ValidationError { issues { path message } } } }`, {
      input: {
        slug: 'voip-broken-action',
        name: 'VoIP with a broken action',
        provisionPlaybook: 'voip-line/provision.yml',
        deprovisionPlaybook: 'voip-line/deprovision.yml',
        variableSchema: { type: 'object', properties: { caller_id_name: { type: 'string' }, sip_password: { type: 'string', secret: true } } },
        inventoryRequirements: [{ kind: 'PHONE_NUMBER', count: 1 }],
        actions: [{ name: 'broken', playbook: 'mobile-sim-plan/actions.yml', inventory: { reserve: [{ kind: 'PHONE_NUMBER' }] } }],
      },
    })).createProduct;
    expect(created.__typename, JSON.stringify(created)).toBe('CreateProductSuccess');
    const started = await provision(server, { productSlug: 'voip-broken-action', customerRef: 'numbers-broken', variables: { caller_id_name: 'Broken', sip_password: 'correct-horse-battery' } });
    expect((await waitForRun(server, started.runId)).status).toBe('SUCCEEDED');
    expect(await act(started.serviceId!, 'broken')).toBe('FAILED');
    const after = await service(started.serviceId!);
    expect(after.status).toBe('NEEDS_ATTENTION');
    expect(after.inventoryItems.map((item) => item.status).sort()).toEqual(['IN_USE', 'QUARANTINED']);
  });

  it('gives two lines adding a number at once different numbers', async () => {
    const other = await newLine('numbers-3');
    const both = await Promise.all([request(line.serviceId, 'add-number'), request(other.serviceId, 'add-number')]);
    expect(both.map((result) => result.__typename)).toEqual(['RunServiceActionSuccess', 'RunServiceActionSuccess']);
    for (const result of both) expect((await waitForRun(server, result.started.run.id)).status).toBe('SUCCEEDED');
    const extras = [...(await numbers(line.serviceId)), ...(await numbers(other.serviceId))].filter((item) => item.identifier !== line.number && item.identifier !== other.number);
    expect(extras).toHaveLength(2);
    expect(extras[0]!.identifier).not.toBe(extras[1]!.identifier);
    expect(lineConfig(other.number)?.numbers).toHaveLength(2);
  });

  // Last: it retires the whole pool.
  it('refuses add-number with an InsufficientInventoryError when the pool is empty, and queues nothing', async () => {
    const available = (await gql(`{ inventoryItems(first: 100, filter: { kind: PHONE_NUMBER, status: AVAILABLE }) { nodes { id } } }`)).inventoryItems.nodes as Array<{ id: string }>;
    for (const item of available) await gql(`mutation ($id: ID!) { retireInventoryItem(id: $id) { __typename } }`, { id: item.id });
    const runsBefore = (await service(line.serviceId)).runs.nodes.length;
    const refused = await request(line.serviceId, 'add-number');
    expect(refused).toMatchObject({ __typename: 'InsufficientInventoryError', kind: 'PHONE_NUMBER', requested: 1, available: 0 });
    const after = await service(line.serviceId);
    expect(after.runs.nodes.length).toBe(runsBefore);
    expect(after.inventoryItems.filter((item) => item.status !== 'IN_USE')).toEqual([]);
  });
});

describe('declaring inventory on actions', () => {
  it('checks reserve and release, with the position of each issue', async () => {
    const { createProduct } = await gql(`mutation ($input: CreateProductInput!) { createProduct(input: $input) { __typename ... on ValidationError { issues { path message } } } }`, {
      input: {
        slug: 'bad-action-inventory',
        name: 'Bad action inventory',
        provisionPlaybook: 'voip-line/provision.yml',
        deprovisionPlaybook: 'voip-line/deprovision.yml',
        actions: [
          { name: 'ok', playbook: 'voip-line/actions.yml', inventory: { reserve: [{ kind: 'PHONE_NUMBER' }] } },
          { name: 'no-kind', playbook: 'voip-line/actions.yml', inventory: { reserve: [{ kind: 'BANANA' }] } },
          { name: 'twice', playbook: 'voip-line/actions.yml', inventory: { reserve: [{ kind: 'SIM' }, { kind: 'SIM', count: 2 }] } },
          { name: 'undeclared', playbook: 'voip-line/actions.yml', inventory: { release: [{ kind: 'PHONE_NUMBER', variable: 'number' }] } },
          {
            name: 'not-a-name',
            playbook: 'voip-line/actions.yml',
            variableSchema: { type: 'object', properties: { count: { type: 'integer' }, pin: { type: 'string', secret: true } } },
            inventory: { release: [{ kind: 'PHONE_NUMBER', variable: 'count' }, { kind: 'SIM', variable: 'pin' }] },
          },
          { name: 'stray', playbook: 'voip-line/actions.yml', inventory: { borrow: [] } },
        ],
      },
    });
    expect(createProduct.__typename).toBe('ValidationError');
    const issues = createProduct.issues as Array<{ path: string; message: string }>;
    const paths = issues.map((issue) => issue.path);
    expect(paths.filter((p) => p.startsWith('actions.0'))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['actions.1.inventory.reserve.0.kind', 'actions.2.inventory.reserve', 'actions.3.inventory.release.0.variable', 'actions.4.inventory.release.0.variable', 'actions.4.inventory.release.1.variable', 'actions.5.inventory']));
    expect(issues.find((issue) => issue.path === 'actions.3.inventory.release.0.variable')!.message).toContain('declare it in the action\'s variableSchema');
  });

  it('shows an action\'s inventory on the product', async () => {
    const { product } = await gql(`{ product(slug: "voip-line") { actions { name inventory } } }`);
    expect(product.actions).toEqual([
      { name: 'add-number', inventory: { reserve: [{ kind: 'PHONE_NUMBER', count: 1, match: {} }], release: [] } },
      { name: 'remove-number', inventory: { reserve: [], release: [{ kind: 'PHONE_NUMBER', variable: 'number', addedOnly: true }] } },
    ]);
  });
});

describe('actionTransition: where an action run\'s items go', () => {
  const action = { name: 'add-number', to: null } as ProductAction;
  const active = { status: 'ACTIVE' as const, variables: {} };
  const outcome = { actionVariables: {}, productVariables: new Set<string>() };
  it.each([
    ['SUCCEEDED', false, { service: 'ACTIVE', reserved: 'IN_USE', released: 'AVAILABLE' }],
    ['ROLLED_BACK', false, { service: 'ACTIVE', reserved: 'AVAILABLE', released: 'IN_USE' }],
    ['CANCELED', true, { service: 'ACTIVE', reserved: 'AVAILABLE', released: 'IN_USE' }],
    ['FAILED', true, { service: 'ACTIVE', reserved: 'AVAILABLE', released: 'IN_USE' }],
    ['FAILED', false, { service: 'NEEDS_ATTENTION', reserved: 'QUARANTINED', released: 'QUARANTINED' }],
    ['CANCELED', false, { service: 'NEEDS_ATTENTION', reserved: 'QUARANTINED', released: 'QUARANTINED' }],
    ['TIMED_OUT', false, { service: 'NEEDS_ATTENTION', reserved: 'QUARANTINED', released: 'QUARANTINED' }],
    ['INTERRUPTED', false, { service: 'NEEDS_ATTENTION', reserved: 'QUARANTINED', released: 'QUARANTINED' }],
  ] as const)('%s (never started: %s) → %o', (status, neverStarted, expected) => {
    expect(actionTransition(action, active, { status, neverStarted }, outcome)).toMatchObject(expected);
  });
});
