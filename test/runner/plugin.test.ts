import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { ansibleVersion, AnsibleNotFoundError, PLUGIN_FATAL_EXIT_CODE, resolveAnsiblePlaybook, syntaxCheck } from '../../src/runner/index.ts';
import { buildAnsibleEnv, createPrivateDir, localInventory } from '../../src/runner/ansible.ts';
import type { PrivateDir } from '../../src/runner/ansible.ts';
import { fixture, membersAfterKill } from './helpers.ts';

const T = 60_000;
let dir: PrivateDir | undefined;
afterEach(async () => {
  await dir?.dispose();
  dir = undefined;
});

async function ansible(playbook: string, env: Record<string, string> = {}) {
  dir = await createPrivateDir();
  const inventory = await dir.write('inventory.yml', localInventory());
  const bin = await resolveAnsiblePlaybook();
  // Wrapped: an async function returning the subprocess would await its result.
  const sub = execa(bin, ['-i', inventory, fixture(playbook)], {
    env: { ...buildAnsibleEnv(dir.path), ...env },
    extendEnv: false,
    cwd: dir.path,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    encoding: 'utf8',
  });
  return { sub };
}

describe('provisio_events plugin', () => {
  it('aborts the run at once when its fd is not open', { timeout: T }, async () => {
    const { sub } = await ansible('success.yml', { PROVISIO_EVENT_FD: '9' });
    let stdout = '';
    let stderr = '';
    sub.stdout?.on('data', (c: string) => (stdout += c));
    sub.stderr?.on('data', (c: string) => (stderr += c));
    const r = await sub;
    expect(r.exitCode).toBe(PLUGIN_FATAL_EXIT_CODE);
    expect(stderr).toMatch(/\[provisio_events\] FATAL: event fd 9 is not open/);
    expect(stdout).not.toMatch(/TASK \[/);
  });

  it('aborts when its fd is read-only', { timeout: T }, async () => {
    // fd 0 with stdin "ignore" is /dev/null opened read-only.
    const { sub } = await ansible('success.yml', { PROVISIO_EVENT_FD: '0' });
    let stderr = '';
    sub.stderr?.on('data', (c: string) => (stderr += c));
    const r = await sub;
    expect(r.exitCode).toBe(PLUGIN_FATAL_EXIT_CODE);
    expect(stderr).toMatch(/event fd 0 is not writable/);
  });

  it('kills the run when the reader of the event stream goes away (dead-man switch)', { timeout: T }, async () => {
    const { sub } = await ansible('sleep.yml');
    const pid = sub.pid!;
    let stderr = '';
    sub.stderr?.on('data', (c: string) => (stderr += c));
    sub.stdout?.resume();
    const events = sub.stdio[3] as Readable;
    let seen = '';
    await new Promise<void>((resolve) => {
      events.on('data', (c: Buffer) => {
        seen += c.toString();
        if (seen.includes('"runner_start"')) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 500)); // let `sleep 30` start
    const t0 = performance.now();
    events.destroy();
    const r = await sub;
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(3000);
    expect(r.signal).toBe('SIGKILL');
    expect(stderr).toMatch(/reader of event fd 3 went away/);
    expect(await membersAfterKill(pid)).toEqual([]);
  });
});

describe('syntaxCheck / ansibleVersion', () => {
  it('accepts a valid playbook', { timeout: T }, async () => {
    expect(await syntaxCheck(fixture('success.yml'))).toEqual({ ok: true });
  });

  it('reports a broken playbook', { timeout: T }, async () => {
    const r = await syntaxCheck(fixture('broken.yml'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/Syntax Error|syntax|YAML/i);
  });

  it('reports a missing playbook', { timeout: T }, async () => {
    const r = await syntaxCheck(fixture('does-not-exist.yml'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/could not be found/);
  });

  it('reads the Ansible version', { timeout: T }, async () => {
    const v = await ansibleVersion();
    expect(v.core).toMatch(/^2\.\d+\.\d+/);
    expect(v.pythonExecutable).toMatch(/python/);
  });

  it('says clearly when ansible-playbook is missing', async () => {
    await expect(ansibleVersion({ ansiblePlaybook: '/nonexistent/ansible-playbook' })).rejects.toThrow(AnsibleNotFoundError);
    await expect(syntaxCheck(fixture('success.yml'), { ansiblePlaybook: 'no-such-ansible-xyz' })).rejects.toThrow(/install ansible-core/);
  });
});
