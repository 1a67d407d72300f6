import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoInventory } from '../../src/demo/seed.ts';
import type { TestApp } from '../support/app.ts';
import { query } from '../support/client.ts';
import { AddInventoryMutation } from '../support/documents.ts';
import { labProfile, replayRun, runAction, runDiffs, sipRegister, sipSubscribers, startLabApp } from '../support/lab.ts';
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
  // 20 runs at once against the one registrar: the concurrency test's runs all run together.
  server = await startLabApp({ maxConcurrentRuns: 20 });
});
afterAll(async () => {
  await server?.close();
});

const register = (user: string, expect: 'ok' | 'refused', password = PASSWORD) => sipRegister(server.config.labDir, user, password, expect);

const SUBSCRIBER_TASK = 'Create the SIP subscriber in the registrar';

async function provisionLine(customerRef: string, variables: Record<string, unknown> = {}, timeoutMs?: number) {
  const started = Date.now();
  const { serviceId, runId } = await provision(server, { productSlug: 'voip-line', customerRef, variables: { caller_id_name: `Line ${customerRef}`, sip_password: PASSWORD, ...variables } });
  const run = await waitForRun(server, runId, timeoutMs);
  return { serviceId: serviceId!, runId, run, ms: Date.now() - started };
}

async function deprovisionLine(serviceId: string, timeoutMs?: number) {
  const deprovisioned = await query(server, DeprovisionMutation, { id: serviceId });
  if (deprovisioned.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(deprovisioned));
  return waitForRun(server, deprovisioned.deprovisionService.started.run.id, timeoutMs);
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

    // The same provision again changes nothing; a new caller name, previewed, shows on the
    // registrar's diff and leaves the subscriber as it is.
    const again = await replayRun(server, line.runId);
    expect({ exitCode: again.exitCode, changed: again.changed }, again.log).toEqual({ exitCode: 0, changed: 0 });
    const renamed = await replayRun(server, line.runId, { checkMode: true, product: { caller_id_name: 'Renamed' } });
    expect(renamed.diffs.get(SUBSCRIBER_TASK)).toEqual([expect.objectContaining({ before: expect.objectContaining({ caller_name: 'Line sip-1' }), after: expect.objectContaining({ caller_name: 'Renamed' }) })]);
    expect(sipSubscribers(server.config.labDir)).toEqual([{ username: own, domain: 'voip.example.net', caller_name: 'Line sip-1' }]);
    expect(`${again.log}${renamed.log}${JSON.stringify([...again.events, ...renamed.events])}`).not.toContain(PASSWORD);

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
    expect((await deprovisionLine(line.serviceId)).status).toBe('SUCCEEDED');
    await expectNoSubscriber();
  });

  it.each(['sip_registrar', 'voicemail_box'])('a failure at %s leaves no subscriber', async (step) => {
    const line = await provisionLine(`sip-fail-${step}`, { simulate_failure_at: step });
    expect(line.run.status).toBe('ROLLED_BACK');
    await expectNoSubscriber();
  });

  it('previews a provision: the diff shows the subscriber the registrar would get, without its password', async () => {
    const { runId } = await provision(server, { productSlug: 'voip-line', customerRef: 'sip-preview', checkMode: true, variables: { caller_id_name: 'Preview', sip_password: PASSWORD } });
    expect((await waitForRun(server, runId)).status).toBe('SUCCEEDED');
    const diffs = await runDiffs(server, runId);
    expect(diffs.get(SUBSCRIBER_TASK)).toEqual([expect.objectContaining({ after: expect.objectContaining({ caller_name: 'Preview' }) })]);
    expect(JSON.stringify([...diffs.values()])).not.toContain(PASSWORD);
    await expectNoSubscriber();
  });

  it('a failing rescue still takes the subscriber out of the registrar, and quarantines the number', async () => {
    const line = await provisionLine('sip-broken-rescue', { simulate_failure_at: 'voicemail_box', simulate_rescue_failure: true });
    expect(line.run.status).toBe('FAILED');
    expect(line.run.service?.status).toBe('NEEDS_ATTENTION');
    expect(line.run.service?.inventoryItems.map((item) => item.status)).toEqual(['QUARANTINED']);
    await expectNoSubscriber();
  });

  it('20 provisions at once: each number registers with its own caller name, and none after deprovision', async () => {
    const extra = Array.from({ length: 20 }, (_, i) => `+4930888${String(i).padStart(4, '0')}`);
    const added = await query(server, AddInventoryMutation, { items: extra.map((identifier) => ({ kind: 'PHONE_NUMBER' as const, identifier })) });
    expect(added.addInventoryItems.__typename, JSON.stringify(added)).toBe('AddInventoryItemsSuccess');
    const lines = await Promise.all(extra.map((_, i) => provisionLine(`sip-many-${i}`, {}, 600_000)));
    expect(lines.map((line) => line.run.status)).toEqual(lines.map(() => 'SUCCEEDED'));
    const registered = lines.map((line, i) => ({ user: line.run.service!.inventoryItems[0]!.identifier.replace(/^\+/, ''), callerName: `Line sip-many-${i}` }));
    expect(new Set(registered.map((line) => line.user)).size).toBe(20);
    for (const line of registered) {
      const registration = await register(line.user, 'ok');
      expect(registration.code, registration.output).toBe(0);
      expect(registration.callerName).toBe(line.callerName);
    }

    const ended = await Promise.all(lines.map((line) => deprovisionLine(line.serviceId, 600_000)));
    expect(ended.map((run) => run.status)).toEqual(ended.map(() => 'SUCCEEDED'));
    expect(sipSubscribers(server.config.labDir)).toEqual([]);
    for (const line of registered) expect((await register(line.user, 'refused')).code).toBe(0);
  }, 1_200_000);

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
    const run = await deprovisionLine(line.serviceId);
    expect(run.status).toBe('ROLLED_BACK');
    expect(run.log).not.toContain(PASSWORD);
    expect(sipSubscribers(server.config.labDir)).toEqual(before);
    for (const subscriber of before) expect((await register(subscriber.username, 'ok')).code).toBe(0);
  });
});
