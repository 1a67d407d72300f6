import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoInventory } from '../../src/demo/seed.ts';
import { ctrlSet } from '../../src/demo/lab/osmo-ctrl.ts';
import type { TestApp } from '../support/app.ts';
import { rawQuery } from '../support/client.ts';
import { hlrSubscriber, labElements, labProfile, radiusAuth, runAction, startLabApp } from '../support/lab.ts';
import { provision, waitForRun } from '../support/runs.ts';
import { eventually } from '../support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// Day-2 operations against the lab's real elements: a service checked against the network
// (the provision playbook in check mode with what the service recorded), drift made at the
// element by hand as an engineer would, and a re-deploy that repairs it, each verified through
// the element's own interface (RADIUS by radclient, the HLR by its CTRL interface).

const installed = labProfile && fs.existsSync('/usr/sbin/freeradius') && fs.existsSync('/usr/bin/osmo-hlr') && spawnSync('radclient', ['-v'], { stdio: 'ignore' }).status === 0;
const modems = new Map(demoInventory().filter((item) => item.kind === 'MODEM').map((item) => [item.identifier, (item.attributes as { mac: string }).mac]));
const sims = new Map(demoInventory().filter((item) => item.kind === 'SIM').map((item) => [item.identifier, item.attributes as { imsi: string; ki: string; opc: string }]));
const RADIUS_TASK = 'Create the RADIUS subscriber with its address and rate limits';
const HLR_TASK = 'Create the HLR subscriber with its MSISDN and 3G keys';

let server: TestApp;
let hooks: WebhookReceiver;
beforeAll(async () => {
  if (!installed) return;
  hooks = await startWebhookReceiver();
  server = await startLabApp({ webhooks: { allowedHosts: ['127.0.0.1'], retryBaseMs: 100, maxAttempts: 3, timeoutMs: 2000 } });
  const created = await rawQuery(server, `mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename } }`, {
    input: { name: 'drift', url: hooks.url, events: ['SERVICE_DRIFTED'] },
  });
  expect(created.createWebhookEndpoint.__typename).toBe('CreateWebhookEndpointSuccess');
});
afterAll(async () => {
  await server?.close();
  await hooks?.close();
});

const SERVICE = `query ($id: ID!) { service(id: $id) { status syncState syncCheckedAt lastSyncCheck { id status } syncDiffs { task host data } variables inventoryItems { identifier status } } }`;

async function serviceSync(id: string) {
  return (await rawQuery(server, SERVICE, { id })).service;
}

function started(mutation: 'checkServiceSync' | 'redeployService', id: string): Promise<string> {
  return startedAt(mutation, id, 'OWN');
}

/** A check, run to its end: the service as the check left it. */
async function checked(id: string) {
  const runId = await started('checkServiceSync', id);
  expect((await waitForRun(server, runId)).status).toBe('SUCCEEDED');
  const service = await serviceSync(id);
  expect(service.lastSyncCheck.id).toBe(runId);
  return service;
}

/** The subscriber's rows in the RADIUS's own database, as an engineer at the element would see and edit them. */
function radiusDb() {
  return new DatabaseSync(labElements(server.config.labDir).lab_radius!.db);
}

describe.skipIf(!installed)('sync checks and re-deploys on the real elements', () => {
  it('fibre: in sync once provisioned; a rate changed at the RADIUS drifts it, the check changing nothing; a re-deploy restores the rate', async () => {
    const provisioned = await provision(server, { productSlug: 'fibre-broadband', customerRef: 'sync-fibre' });
    const run = await waitForRun(server, provisioned.runId);
    expect(run.status).toBe('SUCCEEDED');
    const serviceId = provisioned.serviceId!;
    const mac = modems.get(run.service!.inventoryItems.find((item) => item.kind === 'MODEM')!.identifier)!;
    expect(await checked(serviceId)).toMatchObject({ status: 'ACTIVE', syncState: 'IN_SYNC', syncDiffs: [] });

    // An engineer lowers the rate at the element, by hand.
    const db = radiusDb();
    db.prepare(`UPDATE radreply SET value = '1000000' WHERE username = ? AND attribute = 'WISPr-Bandwidth-Max-Down'`).run(mac);
    const rows = () => db.prepare('SELECT attribute, op, value FROM radreply WHERE username = ? ORDER BY attribute').all(mac);
    const drifted = rows();
    const before = await serviceSync(serviceId);
    expect((await radiusAuth(server.config.labDir, mac, mac)).attributes['WISPr-Bandwidth-Max-Down']).toBe('1000000');

    const check = await checked(serviceId);
    expect(check.syncState).toBe('DRIFTED');
    expect(check.syncDiffs).toEqual([
      expect.objectContaining({
        task: RADIUS_TASK,
        host: 'localhost',
        data: expect.objectContaining({ diff: [expect.objectContaining({ before: expect.stringMatching(/WISPr-Bandwidth-Max-Down := 1000000$/m), after: expect.stringMatching(/WISPr-Bandwidth-Max-Down := 500000000$/m) })] }),
      }),
    ]);
    // The check changed nothing: not the element, not the service, not its items.
    expect(rows()).toEqual(drifted);
    expect((await radiusAuth(server.config.labDir, mac, mac)).attributes['WISPr-Bandwidth-Max-Down']).toBe('1000000');
    expect({ ...check, syncState: undefined, syncCheckedAt: undefined, lastSyncCheck: undefined, syncDiffs: undefined }).toEqual({ ...before, syncState: undefined, syncCheckedAt: undefined, lastSyncCheck: undefined, syncDiffs: undefined });
    db.close();
    // Told once: a drifted service checked again is not news.
    await eventually(() => hooks.ofType('service.drifted'), (bodies) => bodies.length > 0, 'the SERVICE_DRIFTED webhook', 30_000);
    expect(hooks.ofType('service.drifted').map((request) => JSON.parse(request.body).data.service)).toEqual([expect.objectContaining({ id: serviceId, syncState: 'DRIFTED', customerRef: 'sync-fibre' })]);
    const again = await checked(serviceId);
    expect(again.syncState).toBe('DRIFTED');
    // Drift found, counted for Prometheus: two checks of this process found it.
    const metrics = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'), { headers: { authorization: `Bearer ${server.key}` } })).text();
    const drifts = metrics.split('\n').find((line) => line.startsWith('provisio_sync_checks_total{') && line.includes('product="fibre-broadband"') && line.includes('found="DRIFTED"'));
    expect(Number(drifts?.split(' ').at(-1))).toBe(2);

    const redeploy = await started('redeployService', serviceId);
    expect((await waitForRun(server, redeploy)).status).toBe('SUCCEEDED');
    // The re-deploy's own check follows it.
    const repaired = await eventually(() => serviceSync(serviceId), (service) => service.lastSyncCheck.id !== again.lastSyncCheck.id && service.lastSyncCheck.status === 'SUCCEEDED', 'the check after the re-deploy');
    expect(repaired).toMatchObject({ status: 'ACTIVE', syncState: 'IN_SYNC', syncDiffs: [] });
    expect((await radiusAuth(server.config.labDir, mac, mac)).attributes).toMatchObject({ 'WISPr-Bandwidth-Max-Down': '500000000', 'WISPr-Bandwidth-Max-Up': '100000000' });
    expect(hooks.ofType('service.drifted')).toHaveLength(1);
  });

  it('mobile: a subscriber deleted at the HLR drifts it, the diff never showing the SIM\'s keys; a re-deploy puts the subscriber back', async () => {
    const provisioned = await provision(server, { productSlug: 'mobile-sim-plan', customerRef: 'sync-mobile' });
    const run = await waitForRun(server, provisioned.runId);
    expect(run.status).toBe('SUCCEEDED');
    const serviceId = provisioned.serviceId!;
    const sim = sims.get(run.service!.inventoryItems.find((item) => item.kind === 'SIM')!.identifier)!;
    const subscriber = await hlrSubscriber(server.config.labDir, sim.imsi);
    expect(subscriber).toBeDefined();

    const hlr = labElements(server.config.labDir).lab_hlr!;
    expect(await ctrlSet(hlr.ctrl_host, hlr.ctrl_port, 'subscriber.delete', sim.imsi)).toMatch(/^SET_REPLY 1 subscriber.delete/);
    expect(await hlrSubscriber(server.config.labDir, sim.imsi)).toBeUndefined();

    const check = await checked(serviceId);
    expect(check.syncState).toBe('DRIFTED');
    expect(check.syncDiffs.map((event: { task: string; host: string }) => [event.task, event.host])).toContainEqual([HLR_TASK, 'localhost']);
    expect(await hlrSubscriber(server.config.labDir, sim.imsi)).toBeUndefined();
    const shown = JSON.stringify(check.syncDiffs);
    expect([sim.ki, sim.opc].flatMap((key) => [key, key.toLowerCase()]).filter((key) => shown.includes(key))).toEqual([]);

    expect((await waitForRun(server, await started('redeployService', serviceId))).status).toBe('SUCCEEDED');
    expect(await hlrSubscriber(server.config.labDir, sim.imsi)).toEqual(subscriber);
    const repaired = await eventually(() => serviceSync(serviceId), (service) => service.lastSyncCheck.id !== check.lastSyncCheck.id && service.lastSyncCheck.status === 'SUCCEEDED', 'the check after the re-deploy');
    expect(repaired.syncState).toBe('IN_SYNC');
  });

  it('checks only an ACTIVE service with nothing running on it', async () => {
    const provisioned = await provision(server, { productSlug: 'mobile-sim-plan', customerRef: 'sync-refused' });
    expect((await waitForRun(server, provisioned.runId)).status).toBe('SUCCEEDED');
    const serviceId = provisioned.serviceId!;
    expect((await runAction(server, serviceId, 'suspend')).status).toBe('SUCCEEDED');
    const suspended = (await rawQuery(server, `mutation ($id: ID!) { checkServiceSync(id: $id) { __typename ... on Error { message } } }`, { id: serviceId })).checkServiceSync;
    expect(suspended).toEqual({ __typename: 'InvalidStateError', message: expect.stringMatching(/only ACTIVE services .* SUSPENDED/) });
    expect((await runAction(server, serviceId, 'resume')).status).toBe('SUCCEEDED');

    const first = await started('checkServiceSync', serviceId);
    const second = (await rawQuery(server, `mutation ($id: ID!) { checkServiceSync(id: $id) { __typename ... on Error { message } } redeployService(id: $id) { __typename ... on Error { message } } }`, { id: serviceId }));
    expect(second.checkServiceSync).toEqual({ __typename: 'InvalidStateError', message: expect.stringMatching(/check_sync run (QUEUED|RUNNING)/) });
    expect(second.redeployService).toEqual({ __typename: 'InvalidStateError', message: expect.stringMatching(/one run at a time/) });
    expect((await waitForRun(server, first)).status).toBe('SUCCEEDED');
    expect((await serviceSync(serviceId)).syncState).toBe('IN_SYNC');
  });

  it('bulk: a product\'s services checked at once flag exactly the drifted ones; a bulk re-deploy repairs them; a cancel stops the rest under the product\'s limit', async () => {
    // Three more lines beside this file's two: five mobile services, two of them drifted at the HLR by hand.
    const more = await Promise.all([1, 2, 3].map((i) => provision(server, { productSlug: 'mobile-sim-plan', customerRef: `sync-bulk-${i}` })));
    const runs = await Promise.all(more.map((started) => waitForRun(server, started.runId)));
    expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const hlr = labElements(server.config.labDir).lab_hlr!;
    const driftedIds = more.slice(0, 2).map((started) => started.serviceId!);
    for (const run of runs.slice(0, 2)) {
      const sim = sims.get(run.service!.inventoryItems.find((item) => item.kind === 'SIM')!.identifier)!;
      expect(await ctrlSet(hlr.ctrl_host, hlr.ctrl_port, 'subscriber.delete', sim.imsi)).toMatch(/^SET_REPLY/);
    }

    const unknown = (await rawQuery(server, `mutation { startBulkOperation(input: { kind: CHECK_SYNC, productSlug: "mobile-sim-pla" }) { __typename ... on Error { message } } }`)).startBulkOperation;
    expect(unknown).toEqual({ __typename: 'NotFoundError', message: expect.stringContaining('mobile-sim-pla') });
    const check = await bulk({ kind: 'CHECK_SYNC', productSlug: 'mobile-sim-plan' });
    const checked = await bulkDone(check.id);
    expect(checked).toMatchObject({ state: 'DONE', skipped: 0, progress: { total: 5, done: 5, succeeded: 5, failed: 0, inSync: 3, drifted: 2 } });
    expect((await driftedServices()).sort()).toEqual([...driftedIds].sort());

    const redeploy = await bulk({ kind: 'REDEPLOY', productSlug: 'mobile-sim-plan', syncState: 'DRIFTED' });
    expect(await bulkDone(redeploy.id)).toMatchObject({ state: 'DONE', progress: { total: 2, succeeded: 2 } });
    await eventually(() => driftedServices(), (ids) => ids.length === 0, 'the checks after the bulk re-deploy');

    // One run of the product at a time: the bulk's runs queue behind each other, and a cancel stops those not started.
    const product = (await rawQuery(server, `{ product(slug: "mobile-sim-plan") { id version } }`)).product;
    const limited = await rawQuery(server, `mutation ($id: ID!) { updateProduct(id: $id, input: { maxConcurrentRuns: 1 }) { __typename } }`, { id: product.id });
    expect(limited.updateProduct.__typename).toBe('UpdateProductSuccess');
    const slow = await bulk({ kind: 'CHECK_SYNC', productSlug: 'mobile-sim-plan' });
    const running: number[] = [];
    const cancelled = await rawQuery(server, `mutation ($id: ID!) { cancelBulkOperation(id: $id) { __typename } }`, { id: slow.id });
    expect(cancelled.cancelBulkOperation.__typename).toBe('CancelBulkOperationSuccess');
    const stopped = await eventually(async () => {
      const state = await bulkState(slow.id);
      running.push(state.progress.running);
      return state;
    }, (state) => state.progress.queued + state.progress.running === 0, 'the cancelled bulk to settle');
    expect(stopped.state).toBe('CANCELLED');
    expect(Math.max(...running)).toBeLessThanOrEqual(1);
    const statuses = stopped.runs.nodes.map((run: { status: string }) => run.status);
    expect(statuses.filter((status: string) => status === 'CANCELED').length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((status: string) => status === 'CANCELED' || status === 'SUCCEEDED')).toBe(true);
    // A check cancelled before it started leaves the verdict it found: all five still in sync.
    expect(await driftedServices()).toEqual([]);
    expect((await rawQuery(server, `mutation ($id: ID!) { updateProduct(id: $id, input: { maxConcurrentRuns: null }) { __typename } }`, { id: product.id })).updateProduct.__typename).toBe('UpdateProductSuccess');
  });

  it('revisions: a changed default makes the next revision; a check against it previews the upgrade, a re-deploy to it upgrades the line', async () => {
    const provisioned = await provision(server, { productSlug: 'fibre-broadband', customerRef: 'sync-upgrade' });
    const run = await waitForRun(server, provisioned.runId);
    expect(run.status).toBe('SUCCEEDED');
    const serviceId = provisioned.serviceId!;
    const mac = modems.get(run.service!.inventoryItems.find((item) => item.kind === 'MODEM')!.identifier)!;
    const product = (await rawQuery(server, `{ product(slug: "fibre-broadband") { id revision } }`)).product;
    const own = product.revision;
    expect((await revisionOf(serviceId)).productRevision).toBe(own);

    // A new name is not a revision: what the services run with did not change.
    await changeProduct(product.id, { name: 'Fibre broadband (renamed)' });
    expect((await rawQuery(server, `{ product(slug: "fibre-broadband") { revision } }`)).product.revision).toBe(own);
    await changeProduct(product.id, { defaultVariables: { download_mbps: 500, upload_mbps: 200, vlan: 100 } });
    try {
      const revised = (await rawQuery(server, `{ product(slug: "fibre-broadband") { revision revisions { revision defaultVariables } } }`)).product;
      expect(revised.revision).toBe(own + 1);
      expect(revised.revisions.slice(0, 2)).toEqual([
        { revision: own + 1, defaultVariables: expect.objectContaining({ upload_mbps: 200 }) },
        { revision: own, defaultVariables: expect.objectContaining({ upload_mbps: 100 }) },
      ]);
      expect(await revisionOf(serviceId)).toEqual({ productRevision: own, upgradeAvailable: true, syncState: expect.any(String) });

      // Against its own revision the line is in sync: the product's change is not drift.
      expect((await checked(serviceId)).syncState).toBe('IN_SYNC');
      const inSync = (await serviceSync(serviceId)).lastSyncCheck.id;
      // Against the current one, the check says what the upgrade would change, and leaves the verdict and the element alone.
      const preview = await startedAt('checkServiceSync', serviceId, 'CURRENT');
      expect(await waitForRun(server, preview)).toMatchObject({ status: 'SUCCEEDED' });
      const previewRun = (await rawQuery(server, `query ($id: ID!) { run(id: $id) { productRevision events(first: 500) { nodes { type task host data } } } }`, { id: preview })).run;
      expect(previewRun.productRevision).toBe(own + 1);
      const diffs = previewRun.events.nodes.filter((event: { type: string; data: { diff?: Array<{ before: unknown; after: unknown }> } }) => event.type === 'diff' && event.data.diff?.some((entry) => JSON.stringify(entry.before) !== JSON.stringify(entry.after)));
      expect(diffs).toEqual([
        expect.objectContaining({
          task: RADIUS_TASK,
          host: 'localhost',
          data: expect.objectContaining({ diff: [expect.objectContaining({ before: expect.stringMatching(/WISPr-Bandwidth-Max-Up := 100000000$/m), after: expect.stringMatching(/WISPr-Bandwidth-Max-Up := 200000000$/m) })] }),
        }),
      ]);
      expect(await serviceSync(serviceId)).toMatchObject({ syncState: 'IN_SYNC', lastSyncCheck: { id: inSync } });
      expect((await radiusAuth(server.config.labDir, mac, mac)).attributes['WISPr-Bandwidth-Max-Up']).toBe('100000000');

      // The upgrade: a re-deploy to the current revision, then the line is in sync with it.
      const upgrade = await startedAt('redeployService', serviceId, 'CURRENT');
      expect((await waitForRun(server, upgrade)).status).toBe('SUCCEEDED');
      expect((await radiusAuth(server.config.labDir, mac, mac)).attributes['WISPr-Bandwidth-Max-Up']).toBe('200000000');
      const upgraded = await eventually(() => serviceSync(serviceId), (service) => service.lastSyncCheck.id !== inSync && service.lastSyncCheck.status === 'SUCCEEDED', 'the check after the upgrade');
      expect(upgraded.syncState).toBe('IN_SYNC');
      expect(await revisionOf(serviceId)).toEqual({ productRevision: own + 1, upgradeAvailable: false, syncState: 'IN_SYNC' });
    } finally {
      await changeProduct(product.id, { name: 'Fibre broadband', defaultVariables: { download_mbps: 500, upload_mbps: 100, vlan: 100 } });
    }
  });
});

const BULK = `id state skipped progress { total queued running done succeeded failed inSync drifted } runs(first: 100) { nodes { status } }`;

async function bulk(input: Record<string, unknown>) {
  const result = (await rawQuery(server, `mutation ($input: StartBulkOperationInput!) { startBulkOperation(input: $input) { __typename ... on Error { message } ... on StartBulkOperationSuccess { bulkOperation { ${BULK} } } } }`, { input })).startBulkOperation;
  if (!result.bulkOperation) throw new Error(`startBulkOperation was refused: ${JSON.stringify(result)}`);
  return result.bulkOperation;
}

async function bulkState(id: string) {
  return (await rawQuery(server, `query ($id: ID!) { node(id: $id) { ... on BulkOperation { ${BULK} } } }`, { id })).node;
}

function bulkDone(id: string) {
  return eventually(() => bulkState(id), (state) => state.state !== 'RUNNING', 'the bulk operation to finish', 300_000);
}

async function revisionOf(id: string) {
  return (await rawQuery(server, `query ($id: ID!) { service(id: $id) { productRevision upgradeAvailable syncState } }`, { id })).service;
}

async function changeProduct(id: string, input: Record<string, unknown>) {
  const result = (await rawQuery(server, `mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { __typename ... on Error { message } } }`, { id, input })).updateProduct;
  expect(result).toEqual({ __typename: 'UpdateProductSuccess' });
}

/** A check or re-deploy at a revision, started: its run's id. */
async function startedAt(mutation: 'checkServiceSync' | 'redeployService', id: string, revision: 'OWN' | 'CURRENT'): Promise<string> {
  const success = mutation === 'checkServiceSync' ? 'CheckServiceSyncSuccess' : 'RedeployServiceSuccess';
  const result = (await rawQuery(server, `mutation ($id: ID!, $revision: RevisionChoice!) { ${mutation}(id: $id, revision: $revision) { __typename ... on Error { message } ... on ${success} { started { run { id } } } } }`, { id, revision }))[mutation];
  if (!result.started) throw new Error(`${mutation} was refused: ${JSON.stringify(result)}`);
  return result.started.run.id;
}

async function driftedServices(): Promise<string[]> {
  return (await rawQuery(server, `{ services(first: 100, filter: { productSlug: "mobile-sim-plan", syncState: DRIFTED }) { nodes { id } } }`)).services.nodes.map((node: { id: string }) => node.id);
}
