import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventoryText, type Inventory, type RunCredential, type RunTarget } from '../../src/runner/index.ts';
import { hasSshd, startSshd, type TestSshd } from '../support/sshd.ts';
import { ansibleEvents, run } from './helpers.ts';

const VAULT_PASSWORD = 'vault-pass-for-tests';
const VAULTED = 'vaulted-element-secret';

let sshd: TestSshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

function elementTarget(extra: Partial<RunTarget> = {}): RunTarget {
  const inventory: Inventory = {
    vars: {},
    hosts: {
      'olt-1': { ansible_host: '127.0.0.1', ansible_port: sshd.port, ansible_python_interpreter: '/usr/bin/python3', element_state_dir: sshd.stateDir, element_setting: "{{ 7 * 6 }} {{ lookup('pipe', 'id') }}" },
    },
    groups: { elements: { hosts: ['olt-1'], children: [], vars: {} } },
  };
  return { inventory, knownHosts: sshd.knownHosts, ...extra };
}

const sshKey = (key: { privateKey: string }, passphrase: string | null = null): RunCredential => ({ kind: 'SSH_KEY', name: 'olt_admin', username: sshd.user, privateKey: key.privateKey, passphrase });
const vault: RunCredential = { kind: 'VAULT_PASSWORD', name: 'element', password: VAULT_PASSWORD };

describe.skipIf(!hasSshd)('targets and credentials (real sshd on loopback)', () => {
  it('configures the element over SSH with a stored key (passphrase-protected), a vault password, and host variables as data', async () => {
    const file = path.join(sshd.stateDir, 'olt-1.conf');
    fs.rmSync(file, { force: true });
    const { outcome, events } = await run('configure-element.yml', { target: elementTarget(), credentials: [sshKey(sshd.encryptedKey, sshd.encryptedKey.passphrase), vault] });
    expect(outcome.exitCode, outcome.log).toBe(0);
    expect(outcome.stats?.hosts['olt-1']).toMatchObject({ failures: 0, unreachable: 0, changed: 1 });
    const content = fs.readFileSync(file, 'utf8');
    expect(content).toContain("setting={{ 7 * 6 }} {{ lookup('pipe', 'id') }}");
    expect(content).toContain(`vaulted=${createHash('sha256').update(VAULTED).digest('hex')}`);
    // Nothing secret in what the run reports.
    const reported = JSON.stringify(events) + outcome.log;
    for (const secret of [VAULT_PASSWORD, sshd.encryptedKey.passphrase, ...sshd.encryptedKey.privateKey.split('\n').filter((line) => line.length > 20)]) expect(reported).not.toContain(secret);
  });

  it('a key the element does not accept: the host is reported unreachable, by name', async () => {
    const { outcome, events } = await run('configure-element.yml', { target: elementTarget(), credentials: [sshKey(sshd.wrongKey), vault] });
    expect(outcome.exitCode).not.toBe(0);
    expect(outcome.stats?.hosts['olt-1']?.unreachable).toBe(1);
    expect(ansibleEvents(events).find((e) => e.type === 'runner_unreachable')).toMatchObject({ host: 'olt-1' });
  });

  it('refuses an unknown host key when known hosts are given', async () => {
    const otherKey = sshd.knownHosts.replace(/AAAA\S+/, 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl');
    const { outcome } = await run('configure-element.yml', { target: elementTarget({ knownHosts: otherKey }), credentials: [sshKey(sshd.key), vault] });
    expect(outcome.stats?.hosts['olt-1']?.unreachable).toBe(1);
    expect(outcome.log).toMatch(/host key/i);
  });

  it('a wrong passphrase fails before anything runs, with a clear error', async () => {
    await expect(run('configure-element.yml', { target: elementTarget(), credentials: [sshKey(sshd.encryptedKey, 'not it')] })).rejects.toThrow(/passphrase does not open/);
  });
});

describe('reading standard inventories', () => {
  it('reads INI with ranges, groups of groups and variables, untemplated', async () => {
    const inventory = await parseInventoryText(['[olts]', 'olt-[1:2].example.net ansible_port=2222', '', '[olts:vars]', 'vendor="{{ evil }}"', '', '[access:children]', 'olts', '', '[all:vars]', 'site=fra1'].join('\n'));
    expect(inventory.hosts).toEqual({ 'olt-1.example.net': { ansible_port: 2222 }, 'olt-2.example.net': { ansible_port: 2222 } });
    expect(inventory.groups.olts).toEqual({ hosts: ['olt-1.example.net', 'olt-2.example.net'], children: [], vars: { vendor: '{{ evil }}' } });
    expect(inventory.groups.access).toEqual({ hosts: [], children: ['olts'], vars: {} });
    expect(inventory.vars).toEqual({ site: 'fra1' });
  });

  it('reads YAML, and says what is wrong with text that is neither', async () => {
    const inventory = await parseInventoryText('all:\n  children:\n    bngs:\n      hosts:\n        bng1: { ansible_host: 10.0.0.1 }\n');
    expect(inventory.groups.bngs?.hosts).toEqual(['bng1']);
    expect(inventory.hosts.bng1).toEqual({ ansible_host: '10.0.0.1' });
    await expect(parseInventoryText('plugin: script\nthis: [is not\n')).rejects.toThrow(/cannot be read as YAML or INI/);
  });
});
