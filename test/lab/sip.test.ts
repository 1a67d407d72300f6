import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoInventory } from '../../src/demo/seed.ts';
import type { TestApp } from '../support/app.ts';
import { query } from '../support/client.ts';
import { labProfile, runAction, sipRegister, sipSubscribers, startLabApp } from '../support/lab.ts';
import { DeprovisionMutation, provision, waitForRun } from '../support/runs.ts';

// The voip-line product against the lab's real Kamailio registrar, checked by protocol: a phone
// (sipp) registers with digest authentication as the line's numbers, and is refused once the
// number is gone. The registrar's database only shows that a failed run left no row behind.

const installed = labProfile && fs.existsSync('/usr/sbin/kamailio') && fs.existsSync('/usr/bin/sipp');
const PASSWORD = 'correct-horse-battery-sip';
const numbers = demoInventory()
  .filter((item) => item.kind === 'PHONE_NUMBER')
  .map((item) => item.identifier.replace(/^\+/, ''));

let server: TestApp;
beforeAll(async () => {
  if (!installed) return;
  server = await startLabApp();
});
afterAll(async () => {
  await server?.close();
});

const register = (user: string, expect: 'ok' | 'refused', password = PASSWORD) => sipRegister(server.config.labDir, user, password, expect);

async function provisionLine(customerRef: string, variables: Record<string, unknown> = {}) {
  const started = Date.now();
  const { serviceId, runId } = await provision(server, { productSlug: 'voip-line', customerRef, variables: { caller_id_name: `Line ${customerRef}`, sip_password: PASSWORD, ...variables } });
  const run = await waitForRun(server, runId);
  return { serviceId: serviceId!, run, ms: Date.now() - started };
}

/** No number of the pool registers: the registrar has no subscriber left. */
async function expectNoSubscriber() {
  expect(sipSubscribers(server.config.labDir)).toEqual([]);
  const refused = await Promise.all(numbers.map((number) => register(number, 'refused')));
  expect(refused.map((result) => result.code)).toEqual(numbers.map(() => 0));
}

describe.skipIf(!installed)('voip-line on a real Kamailio registrar', () => {
  it('registers the line\'s numbers, refuses a removed one, and refuses all after deprovision', async () => {
    const line = await provisionLine('sip-1');
    expect(line.run.status).toBe('SUCCEEDED');
    console.info(`voip-line provision against the real registrar: ${line.ms} ms`);
    const own = line.run.service!.inventoryItems[0]!.identifier.replace(/^\+/, '');
    const registered = await register(own, 'ok');
    expect(registered.code, registered.output).toBe(0);
    expect(registered.callerName).toBe('Line sip-1');
    expect((await register(own, 'refused', 'not-the-password')).code).toBe(0);
    expect(line.run.log).not.toContain(PASSWORD);

    const added = await runAction(server, line.serviceId, 'add-number');
    expect(added.status).toBe('SUCCEEDED');
    const second = added.service!.inventoryItems.map((item) => item.identifier.replace(/^\+/, '')).find((number) => number !== own)!;
    const secondRegistered = await register(second, 'ok');
    expect(secondRegistered.code, secondRegistered.output).toBe(0);
    expect(secondRegistered.callerName).toBe('Line sip-1');
    expect(added.log).not.toContain(PASSWORD);

    expect((await runAction(server, line.serviceId, 'remove-number', { number: `+${second}` })).status).toBe('SUCCEEDED');
    expect((await register(second, 'refused')).code).toBe(0);
    expect((await register(own, 'ok')).code).toBe(0);

    // A second number again, so that deprovision has two to remove.
    expect((await runAction(server, line.serviceId, 'add-number')).status).toBe('SUCCEEDED');
    const deprovisioned = await query(server, DeprovisionMutation, { id: line.serviceId });
    if (deprovisioned.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(deprovisioned));
    expect((await waitForRun(server, deprovisioned.deprovisionService.started.run.id)).status).toBe('SUCCEEDED');
    await expectNoSubscriber();
  });

  it.each(['sip_registrar', 'voicemail_box'])('a failure at %s leaves no subscriber', async (step) => {
    const line = await provisionLine(`sip-fail-${step}`, { simulate_failure_at: step });
    expect(line.run.status).toBe('ROLLED_BACK');
    await expectNoSubscriber();
  });

  // Last: its line stays (a deprovision with that failure always rolls back).
  it('a failed add-number leaves no row for the number; a failed deprovision puts the line\'s numbers back', async () => {
    const line = await provisionLine('sip-undo', { simulate_failure_at: 'remove_sip_registrar' });
    expect(line.run.status).toBe('SUCCEEDED');
    const own = line.run.service!.inventoryItems[0]!.identifier.replace(/^\+/, '');
    expect((await runAction(server, line.serviceId, 'add-number', { simulate_failure: true })).status).toBe('ROLLED_BACK');
    expect(sipSubscribers(server.config.labDir)).toEqual([{ username: own, domain: 'voip.example.net', caller_name: 'Line sip-undo' }]);

    expect((await runAction(server, line.serviceId, 'add-number')).status).toBe('SUCCEEDED');
    const before = sipSubscribers(server.config.labDir);
    expect(before).toHaveLength(2);
    const deprovisioned = await query(server, DeprovisionMutation, { id: line.serviceId });
    if (deprovisioned.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(deprovisioned));
    const run = await waitForRun(server, deprovisioned.deprovisionService.started.run.id);
    expect(run.status).toBe('ROLLED_BACK');
    expect(run.log).not.toContain(PASSWORD);
    expect(sipSubscribers(server.config.labDir)).toEqual(before);
    for (const subscriber of before) expect((await register(subscriber.username, 'ok')).code).toBe(0);
  });
});
