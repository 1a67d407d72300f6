import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoInventory } from '../../src/demo/seed.ts';
import type { TestApp } from '../support/app.ts';
import { query } from '../support/client.ts';
import { AddInventoryMutation } from '../support/documents.ts';
import { labProfile, radiusAuth, replayRun, runAction, runDiffs, startLabApp } from '../support/lab.ts';
import { DeprovisionMutation, provision, waitForRun } from '../support/runs.ts';

// The fibre product against the lab's real FreeRADIUS, checked by protocol: an Access-Request
// from radclient, as the OLT's NAS would send for the ONT (MAC authentication), and the
// attributes the Access-Accept carries (address, routed block, rates).

const installed = labProfile && fs.existsSync('/usr/sbin/freeradius') && spawnSync('radclient', ['-v'], { stdio: 'ignore' }).status === 0;
const modems = new Map(
  demoInventory()
    .filter((item) => item.kind === 'MODEM')
    .map((item) => [item.identifier, (item.attributes as { mac: string }).mac]),
);

let server: TestApp;
beforeAll(async () => {
  if (!installed) return;
  // 20 runs at once against the one RADIUS: the concurrency test's runs all run together.
  server = await startLabApp({ maxConcurrentRuns: 20 });
});
afterAll(async () => {
  await server?.close();
});

/** What the RADIUS answers for the ONT with this MAC (its MAC is its password). */
const ask = (mac: string) => radiusAuth(server.config.labDir, mac, mac);

/** The demo ONTs the RADIUS accepts now. */
async function acceptedMacs(): Promise<string[]> {
  const accepted = [];
  for (const mac of modems.values()) if ((await ask(mac)).code === 'Accept') accepted.push(mac);
  return accepted;
}

async function provisioned(customerRef: string, variables: Record<string, unknown> = {}) {
  const startedAt = Date.now();
  const started = await provision(server, { productSlug: 'fibre-broadband', customerRef, variables });
  const run = await waitForRun(server, started.runId);
  expect(run.status).toBe('SUCCEEDED');
  const items = run.service!.inventoryItems;
  const mac = modems.get(items.find((item) => item.kind === 'MODEM')!.identifier)!;
  const block = items.find((item) => item.kind === 'IP_BLOCK')!.identifier;
  return { serviceId: started.serviceId!, runId: started.runId, mac, block, ms: Date.now() - startedAt };
}

async function deprovisioned(serviceId: string, checkMode = false, timeoutMs?: number) {
  const result = await query(server, DeprovisionMutation, { id: serviceId, checkMode });
  if (result.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(result));
  return waitForRun(server, result.deprovisionService.started.run.id, timeoutMs);
}

describe.skipIf(!installed)('fibre-broadband on a real FreeRADIUS', () => {
  it('accepts the ONT with its address, routed block and rates, changes its speed, and rejects it once deprovisioned', async () => {
    const preview = await provision(server, { productSlug: 'fibre-broadband', customerRef: 'radius-preview', checkMode: true });
    expect((await waitForRun(server, preview.runId)).status).toBe('SUCCEEDED');
    expect(await acceptedMacs()).toEqual([]);
    // What the preview shows the RADIUS would get: the check and reply items of a new subscriber.
    const created = (await runDiffs(server, preview.runId)).get('Create the RADIUS subscriber with its address and rate limits');
    expect(created).toEqual([expect.objectContaining({ before: '', after: expect.stringMatching(/Framed-IP-Address[\s\S]*WISPr-Bandwidth-Max-Down/) })]);

    const line = await provisioned('radius-1');
    console.info(`fibre-broadband provision against the real FreeRADIUS: ${line.ms} ms`);
    const network = line.block.split('/')[0]!.split('.');
    expect(await ask(line.mac)).toEqual({
      code: 'Accept',
      attributes: {
        'Framed-IP-Address': [...network.slice(0, 3), Number(network[3]) + 1].join('.'),
        'Framed-Route': `${line.block} 0.0.0.0 1`,
        'WISPr-Bandwidth-Max-Down': '500000000',
        'WISPr-Bandwidth-Max-Up': '100000000',
      },
    });
    expect((await radiusAuth(server.config.labDir, line.mac, 'not-its-mac')).code).toBe('Reject');

    // The same provision again changes nothing; a changed rate, previewed, shows on the RADIUS's
    // diff and leaves the subscriber as it is.
    const again = await replayRun(server, line.runId);
    expect({ exitCode: again.exitCode, changed: again.changed }, again.log).toEqual({ exitCode: 0, changed: 0 });
    const drift = await replayRun(server, line.runId, { checkMode: true, product: { download_mbps: 2000 } });
    expect(drift.exitCode, drift.log).toBe(0);
    expect(drift.diffs.get('Create the RADIUS subscriber with its address and rate limits')).toEqual([
      expect.objectContaining({ before: expect.stringContaining('WISPr-Bandwidth-Max-Down := 500000000'), after: expect.stringContaining('WISPr-Bandwidth-Max-Down := 2000000000') }),
    ]);
    expect((await ask(line.mac)).attributes).toMatchObject({ 'WISPr-Bandwidth-Max-Down': '500000000' });

    expect((await runAction(server, line.serviceId, 'change-speed', { download_mbps: 1000, upload_mbps: 200 })).status).toBe('SUCCEEDED');
    expect((await ask(line.mac)).attributes).toMatchObject({ 'Framed-Route': `${line.block} 0.0.0.0 1`, 'WISPr-Bandwidth-Max-Down': '1000000000', 'WISPr-Bandwidth-Max-Up': '200000000' });

    expect((await deprovisioned(line.serviceId, true)).status).toBe('SUCCEEDED');
    expect((await ask(line.mac)).code).toBe('Accept');
    expect((await deprovisioned(line.serviceId)).status).toBe('SUCCEEDED');
    expect(await ask(line.mac)).toEqual({ code: 'Reject', attributes: {} });
  });

  it.each(['ont_registration', 'radius_user', 'dhcp_reservation'])('a failure at %s leaves no subscriber', async (step) => {
    const started = await provision(server, { productSlug: 'fibre-broadband', customerRef: `radius-fail-${step}`, variables: { simulate_failure_at: step } });
    expect((await waitForRun(server, started.runId)).status).toBe('ROLLED_BACK');
    expect(await acceptedMacs()).toEqual([]);
  });

  it('a failing rescue still takes the subscriber out of the RADIUS, and quarantines the ONT and block', async () => {
    const started = await provision(server, { productSlug: 'fibre-broadband', customerRef: 'radius-broken-rescue', variables: { simulate_failure_at: 'dhcp_reservation', simulate_rescue_failure: true } });
    const run = await waitForRun(server, started.runId);
    expect(run.status).toBe('FAILED');
    expect(run.service?.status).toBe('NEEDS_ATTENTION');
    expect(run.service?.inventoryItems.map((item) => item.status)).toEqual(['QUARANTINED', 'QUARANTINED']);
    expect(await acceptedMacs()).toEqual([]);
  });

  it('a failed change-speed keeps the old rates, and a failed deprovision the subscriber', async () => {
    // The deprovision's failure is a product variable; provision has no step of that name.
    const line = await provisioned('radius-keep', { simulate_failure_at: 'remove_ont_registration' });
    const before = await ask(line.mac);
    expect(before.attributes).toMatchObject({ 'WISPr-Bandwidth-Max-Down': '500000000' });
    expect((await runAction(server, line.serviceId, 'change-speed', { download_mbps: 100, simulate_failure: true })).status).toBe('ROLLED_BACK');
    expect(await ask(line.mac)).toEqual(before);
    expect((await deprovisioned(line.serviceId)).status).toBe('ROLLED_BACK');
    expect(await ask(line.mac)).toEqual(before);
  });

  it('20 provisions at once: the RADIUS accepts each ONT with its own block, and none after deprovision', async () => {
    const extra = Array.from({ length: 20 }, (_, i) => ({ serial: `ONT-MANY-${String(i).padStart(4, '0')}`, mac: `02:00:5e:01:00:${i.toString(16).padStart(2, '0')}`, block: `100.65.${i}.0/29` }));
    const added = await query(server, AddInventoryMutation, {
      items: [
        ...extra.map((ont) => ({ kind: 'MODEM' as const, identifier: ont.serial, attributes: { mac: ont.mac, model: 'Provisio Demo ONT' } })),
        ...extra.map((ont) => ({ kind: 'IP_BLOCK' as const, identifier: ont.block })),
      ],
    });
    expect(added.addInventoryItems.__typename, JSON.stringify(added)).toBe('AddInventoryItemsSuccess');
    for (const ont of extra) modems.set(ont.serial, ont.mac);

    const started = await Promise.all(extra.map((_, i) => provision(server, { productSlug: 'fibre-broadband', customerRef: `radius-many-${i}` })));
    const runs = await Promise.all(started.map((run) => waitForRun(server, run.runId, 600_000)));
    expect(runs.map((run) => run.status)).toEqual(runs.map(() => 'SUCCEEDED'));
    // Each service's ONT is accepted with the address of its own block: no two runs crossed.
    const lines = runs.map((run) => ({
      mac: modems.get(run.service!.inventoryItems.find((item) => item.kind === 'MODEM')!.identifier)!,
      block: run.service!.inventoryItems.find((item) => item.kind === 'IP_BLOCK')!.identifier,
    }));
    expect(new Set(lines.map((line) => line.mac)).size).toBe(20);
    for (const line of lines) {
      const network = line.block.split('/')[0]!.split('.');
      expect((await ask(line.mac)).attributes).toMatchObject({ 'Framed-IP-Address': [...network.slice(0, 3), Number(network[3]) + 1].join('.'), 'Framed-Route': `${line.block} 0.0.0.0 1` });
    }

    const ended = await Promise.all(started.map(async ({ serviceId }) => deprovisioned(serviceId!, false, 600_000)));
    expect(ended.map((run) => run.status)).toEqual(ended.map(() => 'SUCCEEDED'));
    for (const line of lines) expect((await ask(line.mac)).code).toBe('Reject');
  }, 1_200_000);
});
