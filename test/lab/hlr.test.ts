import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoInventory } from '../../src/demo/seed.ts';
import { luhnValid } from '../../src/domain/inventory/index.ts';
import type { TestApp } from '../support/app.ts';
import { AddInventoryMutation } from '../support/documents.ts';
import { query } from '../support/client.ts';
import { hlrSubscriber, labProfile, replayRun, runAction, runDiffs, startLabApp } from '../support/lab.ts';
import { DeprovisionMutation, provision, waitForRun } from '../support/runs.ts';

// The mobile product against the lab's real osmo-hlr, checked through the HLR's own CTRL
// interface: the subscriber it knows, its MSISDN, the SIM's K/OPc, its network access.

const installed = labProfile && fs.existsSync('/usr/bin/osmo-hlr');
const sims = demoInventory()
  .filter((item) => item.kind === 'SIM')
  .map((item) => ({ attributes: item.attributes as { imsi: string; ki: string; opc: string } }));
const simKeys = sims.flatMap((sim) => [sim.attributes.ki, sim.attributes.opc]).flatMap((key) => [key, key.toLowerCase()]);

let server: TestApp;
beforeAll(async () => {
  if (!installed) return;
  // 20 runs at once against the one HLR: the concurrency test's runs all run together.
  server = await startLabApp({ maxConcurrentRuns: 20 });
});
afterAll(async () => {
  await server?.close();
});

/** The demo SIMs the HLR knows now. */
async function knownSims() {
  const known = [];
  for (const sim of sims) {
    const subscriber = await hlrSubscriber(server.config.labDir, sim.attributes.imsi);
    if (subscriber) known.push({ sim: sim.attributes, subscriber });
  }
  return known;
}

describe.skipIf(!installed)('mobile-sim-plan on a real osmo-hlr', () => {
  it('creates the subscriber with its MSISDN and the SIM\'s keys, bars and frees it, and deletes it', async () => {
    const startedAt = Date.now();
    const started = await provision(server, { productSlug: 'mobile-sim-plan', customerRef: 'hlr-1' });
    expect((await waitForRun(server, started.runId)).status).toBe('SUCCEEDED');
    console.info(`mobile-sim-plan provision against the real osmo-hlr: ${Date.now() - startedAt} ms`);
    const [known, ...others] = await knownSims();
    expect(others).toEqual([]);
    expect(known!.subscriber).toMatchObject({ csEnabled: true, psEnabled: true, k: known!.sim.ki.toLowerCase(), opc: known!.sim.opc.toLowerCase() });
    expect(known!.subscriber.msisdn).toMatch(/^4930555010\d$/);

    // The same provision again, with the same inputs: the HLR already has it all.
    const again = await replayRun(server, started.runId);
    expect({ exitCode: again.exitCode, changed: again.changed }, again.log).toEqual({ exitCode: 0, changed: 0 });
    expect(simKeys.filter((key) => again.log.includes(key) || JSON.stringify(again.events).includes(key))).toEqual([]);

    expect((await runAction(server, started.serviceId!, 'suspend')).status).toBe('SUCCEEDED');
    expect(await hlrSubscriber(server.config.labDir, known!.sim.imsi)).toMatchObject({ csEnabled: false, psEnabled: false });
    expect((await runAction(server, started.serviceId!, 'resume')).status).toBe('SUCCEEDED');
    expect(await hlrSubscriber(server.config.labDir, known!.sim.imsi)).toMatchObject({ csEnabled: true, psEnabled: true });

    const deprovisioned = await query(server, DeprovisionMutation, { id: started.serviceId! });
    if (deprovisioned.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(deprovisioned));
    expect((await waitForRun(server, deprovisioned.deprovisionService.started.run.id)).status).toBe('SUCCEEDED');
    expect(await hlrSubscriber(server.config.labDir, known!.sim.imsi)).toBeUndefined();
  });

  it('previews a provision: the diff shows the subscriber the HLR would get, without its keys, and the HLR stays as it was', async () => {
    const preview = await provision(server, { productSlug: 'mobile-sim-plan', customerRef: 'hlr-preview', checkMode: true });
    expect((await waitForRun(server, preview.runId)).status).toBe('SUCCEEDED');
    expect(await knownSims()).toEqual([]);
    const diffs = await runDiffs(server, preview.runId);
    const created = diffs.get('Create the HLR subscriber with its MSISDN and 3G keys');
    expect(created, JSON.stringify([...diffs.keys()])).toHaveLength(1);
    expect(JSON.stringify(created)).toMatch(/4930555010\d/);
    expect(simKeys.filter((key) => JSON.stringify([...diffs.values()]).includes(key))).toEqual([]);
  });

  it('a failing rescue still takes the subscriber out of the HLR, and quarantines the SIM and number', async () => {
    const started = await provision(server, { productSlug: 'mobile-sim-plan', customerRef: 'hlr-broken-rescue', variables: { simulate_failure_at: 'activation', simulate_rescue_failure: true } });
    const run = await waitForRun(server, started.runId);
    expect(run.status).toBe('FAILED');
    expect(run.service?.status).toBe('NEEDS_ATTENTION');
    expect(run.service?.inventoryItems.map((item) => item.status)).toEqual(['QUARANTINED', 'QUARANTINED']);
    expect(await knownSims()).toEqual([]);
  });

  it.each(['hss_subscriber', 'pcrf_profile', 'activation'])('a failure at %s leaves the HLR as it was', async (step) => {
    const started = await provision(server, { productSlug: 'mobile-sim-plan', customerRef: `hlr-fail-${step}`, variables: { simulate_failure_at: step } });
    expect((await waitForRun(server, started.runId)).status).toBe('ROLLED_BACK');
    expect(await knownSims()).toEqual([]);
  });

  it('a failed suspend puts the network access back', async () => {
    const started = await provision(server, { productSlug: 'mobile-sim-plan', customerRef: 'hlr-suspend' });
    expect((await waitForRun(server, started.runId)).status).toBe('SUCCEEDED');
    expect((await runAction(server, started.serviceId!, 'suspend', { simulate_failure: true })).status).toBe('ROLLED_BACK');
    const [known] = await knownSims();
    expect(known!.subscriber).toMatchObject({ csEnabled: true, psEnabled: true });
  });

  it('a failed deprovision puts the subscriber back as it was', async () => {
    // The deprovision's failure is a product variable; provision has no step of that name.
    const started = await provision(server, { productSlug: 'mobile-sim-plan', customerRef: 'hlr-keep', variables: { simulate_failure_at: 'remove_hss_subscriber' } });
    expect((await waitForRun(server, started.runId)).status).toBe('SUCCEEDED');
    const before = await knownSims();
    const deprovisioned = await query(server, DeprovisionMutation, { id: started.serviceId! });
    if (deprovisioned.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(deprovisioned));
    expect((await waitForRun(server, deprovisioned.deprovisionService.started.run.id)).status).toBe('ROLLED_BACK');
    expect(await knownSims()).toEqual(before);
  });

  it('20 provisions at once: the HLR knows each with its own number, and none is left after deprovision', async () => {
    const iccid = (body: string) => `${body}${[...'0123456789'].find((check) => luhnValid(body + check))}`;
    const extra = Array.from({ length: 20 }, (_, i) => ({ imsi: `2620199${String(i).padStart(8, '0')}`, ki: `${'ab'.repeat(15)}${String(i).padStart(2, '0')}`, opc: `${'cd'.repeat(15)}${String(i).padStart(2, '0')}` }));
    const added = await query(server, AddInventoryMutation, {
      items: [
        ...extra.map((sim, i) => ({ kind: 'SIM' as const, identifier: iccid(`8949009900000${String(i).padStart(6, '0')}`), attributes: sim })),
        ...extra.map((_, i) => ({ kind: 'PHONE_NUMBER' as const, identifier: `+4930777${String(i).padStart(4, '0')}` })),
      ],
    });
    expect(added.addInventoryItems.__typename, JSON.stringify(added)).toBe('AddInventoryItemsSuccess');
    // The pool picks among every free SIM, the demo's too: count what the HLR knows beyond what it knew before.
    const all = [...sims.map((sim) => sim.attributes), ...extra];
    const knownNow = async () => (await Promise.all(all.map(async (sim) => ({ sim, subscriber: await hlrSubscriber(server.config.labDir, sim.imsi) })))).filter((entry) => entry.subscriber);
    const before = new Set((await knownNow()).map((entry) => entry.sim.imsi));
    const started = await Promise.all(extra.map((_, i) => provision(server, { productSlug: 'mobile-sim-plan', customerRef: `hlr-many-${i}` })));
    const runs = await Promise.all(started.map((run) => waitForRun(server, run.runId, 600_000)));
    expect(runs.map((run) => run.status)).toEqual(runs.map(() => 'SUCCEEDED'));
    const known = (await knownNow()).filter((entry) => !before.has(entry.sim.imsi));
    expect(known).toHaveLength(20);
    expect(new Set(known.map((entry) => entry.subscriber!.msisdn)).size).toBe(20);
    for (const { sim, subscriber } of known) expect(subscriber).toMatchObject({ k: sim.ki.toLowerCase(), opc: sim.opc.toLowerCase(), csEnabled: true });

    const ended = await Promise.all(
      started.map(async ({ serviceId }) => {
        const result = await query(server, DeprovisionMutation, { id: serviceId! });
        if (result.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(result));
        return waitForRun(server, result.deprovisionService.started.run.id, 600_000);
      }),
    );
    expect(ended.map((run) => run.status)).toEqual(ended.map(() => 'SUCCEEDED'));
    expect(new Set((await knownNow()).map((entry) => entry.sim.imsi))).toEqual(before);
  }, 1_200_000);
});
