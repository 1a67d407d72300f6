import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoInventory } from '../../src/demo/seed.ts';
import type { TestApp } from '../support/app.ts';
import { query } from '../support/client.ts';
import { labProfile, radiusAuth, runAction, startLabApp } from '../support/lab.ts';
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
  server = await startLabApp();
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
  return { serviceId: started.serviceId!, mac, block, ms: Date.now() - startedAt };
}

async function deprovisioned(serviceId: string, checkMode = false) {
  const result = await query(server, DeprovisionMutation, { id: serviceId, checkMode });
  if (result.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(result));
  return waitForRun(server, result.deprovisionService.started.run.id);
}

describe.skipIf(!installed)('fibre-broadband on a real FreeRADIUS', () => {
  it('accepts the ONT with its address, routed block and rates, changes its speed, and rejects it once deprovisioned', async () => {
    const preview = await provision(server, { productSlug: 'fibre-broadband', customerRef: 'radius-preview', checkMode: true });
    expect((await waitForRun(server, preview.runId)).status).toBe('SUCCEEDED');
    expect(await acceptedMacs()).toEqual([]);

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
});
