import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/gql.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { query } from './support/client.ts';
import { AddInventoryMutation, CreateProductMutation, InventoryQuery, PoolsQuery } from './support/documents.ts';
import { allEvents, DeprovisionMutation, expectContiguous, provision, ProvisionMutation, RunQuery, waitForRun } from './support/runs.ts';

let server: TestApp;
let lab: string;

beforeAll(async () => {
  server = await startTestApp({ maxConcurrentRuns: 4 }, { demo: true });
  lab = server.config.labDir;
});
afterAll(async () => {
  await server?.close();
});

const SIP_PASSWORD = 'correct-horse-battery-staple-42';
const voip = (customerRef: string, variables: Record<string, unknown> = {}) => ({
  productSlug: 'voip-line',
  customerRef,
  variables: { caller_id_name: 'Alice', sip_password: SIP_PASSWORD, ...variables },
});

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

function registrarFile(e164: string) {
  return path.join(lab, 'sip/registrar', `${e164.replace('+', '')}.conf`);
}

describe('provision', () => {
  it('returns at once with a QUEUED run, then succeeds: service ACTIVE, items IN_USE, outputs recorded, network configured', async () => {
    const result = await query(server, ProvisionMutation, { input: { productSlug: 'mobile-sim-plan', customerRef: 'cust-1001', variables: { apn: 'ims' } } });
    if (result.provisionService.__typename !== 'ProvisionServiceSuccess') throw new Error(JSON.stringify(result));
    const { service, run } = result.provisionService.started;
    expect(run).toMatchObject({ status: 'QUEUED', action: 'PROVISION', checkMode: false });
    expect(service).toMatchObject({ status: 'PROVISIONING', customerRef: 'cust-1001' });

    const finished = await waitForRun(server, run.id);
    expect(finished).toMatchObject({ status: 'SUCCEEDED', exitCode: 0, statusReason: null });
    expect(finished.service?.status).toBe('ACTIVE');
    const items = finished.service!.inventoryItems;
    // Ordered by kind as the enum declares it (SIM first).
    expect(items.map((item) => [item.kind, item.status])).toEqual([
      ['SIM', 'IN_USE'],
      ['PHONE_NUMBER', 'IN_USE'],
    ]);
    const msisdn = items.find((item) => item.kind === 'PHONE_NUMBER')!.identifier;
    // The HSS convention: MSISDN digits without the leading +.
    expect(finished.service!.outputs).toMatchObject({ msisdn: msisdn.slice(1), apn: 'ims' });
    expect(finished.counters.ok).toBeGreaterThan(3);
    expect(finished.counters.failed).toBe(0);

    // The stand-in HSS got the subscriber, with a digest of Ki, never Ki itself.
    const [subscriber] = fs.readdirSync(path.join(lab, 'hss/subscribers'));
    const record = fs.readFileSync(path.join(lab, 'hss/subscribers', subscriber!), 'utf8');
    expect(record).toContain(msisdn.slice(1));
    expect(record).not.toMatch(/000102030405060708090A0B0C0D0E/i);

    const events = await allEvents(server, run.id);
    expectContiguous(events, 1, finished.lastSeq);
    expect(events[0]!.type).toBe('playbook_start');
    expect(events.at(-2)!.type).toBe('stats');
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'SUCCEEDED' } });
    expect(events.filter((event) => event.type === 'task_start').length).toBeGreaterThan(3);
  });

  it('rolls back through rescue: run ROLLED_BACK, service FAILED, items back in the pool, nothing left configured', async () => {
    const before = await query(server, PoolsQuery);
    const started = await provision(server, voip('cust-rescue', { simulate_failure_at: 'voicemail_box' }));
    const run = await waitForRun(server, started.runId);
    expect(run.status).toBe('ROLLED_BACK');
    // The reason names the failing task, its host and Ansible's message.
    expect(run.statusReason).toMatch(/^task ".*voicemail.*" failed on host localhost: .+; the rescue section undid the changes$/i);
    expect(run.exitCode).toBe(0);
    expect(run.counters.rescued).toBe(1);
    expect(run.service).toMatchObject({ status: 'FAILED', inventoryItems: [] });
    const after = await query(server, PoolsQuery);
    expect(after.inventoryPools).toEqual(before.inventoryPools);
    expect(fs.readdirSync(path.join(lab, 'sip/registrar')).filter((f) => f.endsWith('.conf'))).toEqual([]);
    const events = await allEvents(server, started.runId);
    expect(events.some((event) => event.section === 'rescue')).toBe(true);
  });

  it('quarantines inventory and flags the service when the rescue itself fails', async () => {
    const started = await provision(server, voip('cust-broken-rescue', { simulate_failure_at: 'sip_registrar', simulate_rescue_failure: true }));
    const run = await waitForRun(server, started.runId);
    expect(run.status).toBe('FAILED');
    expect(run.statusReason).toMatch(/^task ".*" failed on host localhost: .+; no rescue recovered it$/);
    expect(run.exitCode).toBe(2);
    expect(run.service?.status).toBe('NEEDS_ATTENTION');
    expect(run.service?.statusReason).toContain('FAILED');
    expect(run.service?.inventoryItems.map((item) => item.status)).toEqual(['QUARANTINED']);
  });

  it('deprovisions: service DEPROVISIONED, items AVAILABLE, network entries removed', async () => {
    const started = await provision(server, voip('cust-depro'));
    const provisioned = await waitForRun(server, started.runId);
    expect(provisioned.status).toBe('SUCCEEDED');
    const number = provisioned.service!.inventoryItems[0]!;
    expect(fs.existsSync(registrarFile(number.identifier))).toBe(true);

    const result = await query(server, DeprovisionMutation, { id: started.serviceId! });
    if (result.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(result));
    expect(result.deprovisionService.started.service?.status).toBe('DEPROVISIONING');
    const run = await waitForRun(server, result.deprovisionService.started.run.id);
    expect(run).toMatchObject({ status: 'SUCCEEDED', action: 'DEPROVISION' });
    expect(run.service).toMatchObject({ status: 'DEPROVISIONED', inventoryItems: [] });
    expect(fs.existsSync(registrarFile(number.identifier))).toBe(false);
    const { inventoryItems } = await query(server, InventoryQuery, { filter: { kind: 'PHONE_NUMBER', search: number.identifier } });
    expect(inventoryItems.nodes[0]).toMatchObject({ status: 'AVAILABLE' });

    const again = await query(server, DeprovisionMutation, { id: started.serviceId! });
    expect(again.deprovisionService).toMatchObject({ __typename: 'InvalidStateError' });
  });

  it('provisions and deprovisions fibre broadband: ONT, RADIUS user and DHCP reservation with the block\'s gateway', async () => {
    const started = await provision(server, { productSlug: 'fibre-broadband', customerRef: 'cust-fibre', variables: { vlan: 220, download_mbps: 1000 } });
    const run = await waitForRun(server, started.runId);
    expect(run.status).toBe('SUCCEEDED');
    const modem = run.service!.inventoryItems.find((item) => item.kind === 'MODEM')!;
    const block = run.service!.inventoryItems.find((item) => item.kind === 'IP_BLOCK')!;
    expect(run.service!.outputs).toMatchObject({ vlan: 220, ip_block: block.identifier });
    const { inventoryItems } = await query(server, InventoryQuery, { filter: { kind: 'MODEM', search: modem.identifier } });
    const mac = String(inventoryItems.nodes[0]!.attributes.mac);
    const dhcp = fs.readFileSync(path.join(lab, 'dhcp', `${mac}.conf`), 'utf8');
    expect(dhcp).toContain(block.identifier);
    expect(dhcp).toContain(block.identifier.replace(/\.0\/29$/, '.1'));
    expect(fs.existsSync(path.join(lab, 'radius/users', `${mac}.conf`))).toBe(true);

    const result = await query(server, DeprovisionMutation, { id: started.serviceId! });
    if (result.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(result));
    const depro = await waitForRun(server, result.deprovisionService.started.run.id);
    expect(depro.status).toBe('SUCCEEDED');
    expect(fs.existsSync(path.join(lab, 'dhcp', `${mac}.conf`))).toBe(false);
    expect(fs.existsSync(path.join(lab, 'olt/onts', `${modem.identifier}.json`))).toBe(false);
  });

  it('previews in check mode: diff events, nothing reserved, no service, nothing written', async () => {
    const before = await query(server, PoolsQuery);
    const labBefore = listFiles(lab);
    const result = await query(server, ProvisionMutation, { input: { ...voip('cust-preview'), checkMode: true } });
    if (result.provisionService.__typename !== 'ProvisionServiceSuccess') throw new Error(JSON.stringify(result));
    expect(result.provisionService.started.service).toBeNull();
    const run = await waitForRun(server, result.provisionService.started.run.id);
    expect(run).toMatchObject({ status: 'SUCCEEDED', checkMode: true, service: null });
    const events = await allEvents(server, run.id);
    expect(events.filter((event) => event.type === 'diff').length).toBeGreaterThan(0);
    expect(await query(server, PoolsQuery)).toEqual(before);
    const services = await query(server, graphql(`query PreviewServices { services(filter: { customerRef: "cust-preview" }) { totalCount } }`));
    expect(services.services.totalCount).toBe(0);
    expect(listFiles(lab)).toEqual(labBefore);
  });

  it('answers a retried request with the same idempotency key with the same service and run', async () => {
    const input = { ...voip('cust-idem'), idempotencyKey: 'order-7781' };
    const [first, second] = await Promise.all([provision(server, input), provision(server, input)]);
    const third = await provision(server, input);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    const run = await waitForRun(server, first.runId);
    expect(run.service?.inventoryItems).toHaveLength(1);
    const services = await query(server, graphql(`query IdemServices { services(filter: { customerRef: "cust-idem" }) { totalCount } }`));
    expect(services.services.totalCount).toBe(1);
  });

  it('refuses an idempotency key reused for a different request with a ConflictError', async () => {
    const input = { ...voip('cust-idem-2'), idempotencyKey: 'order-7782' };
    const first = await provision(server, input);
    // The same request with its variables in another order is a retry.
    const reordered = { ...input, variables: Object.fromEntries(Object.entries(input.variables ?? {}).reverse()) };
    expect(await provision(server, reordered)).toEqual(first);
    for (const changed of [{ ...input, customerRef: 'cust-someone-else' }, { ...input, variables: { ...input.variables, caller_id_name: 'Mallory' } }]) {
      const result = await query(server, ProvisionMutation, { input: changed });
      expect(result.provisionService).toMatchObject({ __typename: 'ConflictError', message: expect.stringContaining('already used for a different request') });
    }
    await waitForRun(server, first.runId);
  });

  it('never gives one item to two services when requests race for a small pool', async () => {
    const slug = 'race-line';
    const created = await query(server, CreateProductMutation, {
      input: {
        slug,
        name: 'Race line',
        provisionPlaybook: 'voip-line/provision.yml',
        deprovisionPlaybook: 'voip-line/deprovision.yml',
        variableSchema: { type: 'object', properties: { caller_id_name: { type: 'string' }, sip_password: { type: 'string', secret: true } } },
        inventoryRequirements: [{ kind: 'PHONE_NUMBER', count: 1, match: { pool: 'race' } }],
      },
    });
    expect(created.createProduct.__typename).toBe('CreateProductSuccess');
    const added = await query(server, AddInventoryMutation, {
      items: [0, 1, 2].map((i) => ({ kind: 'PHONE_NUMBER' as const, identifier: `+4989000000${i}`, attributes: { pool: 'race' } })),
    });
    expect(added.addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');

    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        query(server, ProvisionMutation, {
          input: { productSlug: slug, customerRef: `racer-${i}`, variables: { caller_id_name: `R${i}`, sip_password: SIP_PASSWORD } },
        }),
      ),
    );
    const won = results.filter((r) => r.provisionService.__typename === 'ProvisionServiceSuccess');
    const lost = results.filter((r) => r.provisionService.__typename === 'InsufficientInventoryError');
    expect(won).toHaveLength(3);
    expect(lost).toHaveLength(5);
    const runs = await Promise.all(
      won.map((r) => waitForRun(server, (r.provisionService as { started: { run: { id: string } } }).started.run.id)),
    );
    const held = runs.flatMap((run) => run.service!.inventoryItems.map((item) => item.identifier));
    expect(new Set(held).size).toBe(3);
  });
});

describe('data reaches Ansible as data, secrets stay secret', () => {
  it('passes Jinja syntax in variables literally', async () => {
    const started = await provision(server, voip('cust-jinja', { caller_id_name: "{{ lookup('pipe', 'id') }} {{ 7*7 }}" }));
    const run = await waitForRun(server, started.runId);
    expect(run.status).toBe('SUCCEEDED');
    const file = fs.readFileSync(registrarFile(run.service!.inventoryItems[0]!.identifier), 'utf8');
    expect(file).toContain("{{ lookup('pipe', 'id') }} {{ 7*7 }}");
    expect(file).not.toContain('uid=');
    expect(file).not.toContain(' 49');
  });

  it('keeps secret variables and secret inventory attributes out of events, logs, API output and the lab files', async () => {
    const voipRun = await waitForRun(server, (await provision(server, voip('cust-secret'))).runId);
    const simRun = await waitForRun(server, (await provision(server, { productSlug: 'mobile-sim-plan', customerRef: 'cust-secret-sim' })).runId);
    for (const run of [voipRun, simRun]) {
      expect(run.status).toBe('SUCCEEDED');
      const everything = JSON.stringify([run, await allEvents(server, run.id)]);
      expect(everything).not.toContain(SIP_PASSWORD);
      expect(everything).not.toMatch(/000102030405060708090A0B0C0D0E/i);
      expect(everything).not.toMatch(/F0E1D2C3B4A5968778695A4B3C2D1E/i);
    }
    expect(voipRun.service!.variables).toEqual({ caller_id_name: 'Alice' });
    const labFiles = fs.readdirSync(lab, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    for (const entry of labFiles) {
      const content = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
      expect(content).not.toContain(SIP_PASSWORD);
      expect(content).not.toMatch(/000102030405060708090A0B0C0D0E/i);
    }
  });
});

describe('bad provisioning requests get typed errors and change nothing', () => {
  it.each([
    [{ productSlug: 'no-such-product', customerRef: 'x' }, 'NotFoundError'],
    [{ productSlug: 'voip-line', customerRef: 'x', variables: { caller_id_name: 'A', sip_password: 'short', colour: 'red' } }, 'ValidationError'],
    [{ productSlug: 'voip-line', customerRef: '   ' }, 'ValidationError'],
  ])('%j → %s', async (input, typename) => {
    const before = await query(server, PoolsQuery);
    const result = await query(server, ProvisionMutation, { input });
    expect(result.provisionService.__typename).toBe(typename);
    expect(await query(server, PoolsQuery)).toEqual(before);
  });

  it('lists every invalid variable with its path', async () => {
    const result = await query(server, ProvisionMutation, {
      input: { productSlug: 'voip-line', customerRef: 'x', variables: { caller_id_name: 7, sip_password: 'short', colour: 'red' } },
    });
    if (result.provisionService.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
    expect(result.provisionService.issues.map((issue) => issue.path).sort()).toEqual(['variables.caller_id_name', 'variables.colour', 'variables.sip_password']);
    // The secret value is never echoed back in an error.
    expect(JSON.stringify(result)).not.toContain('"short"');
  });
});

it('lets a run be read back as a node, with its queue position while waiting', async () => {
  const started = await provision(server, voip('cust-node'));
  const { run } = await query(server, RunQuery, { id: started.runId });
  expect(run?.id).toBe(started.runId);
  await waitForRun(server, started.runId);
});
