import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { hasProcessEnded, hostIdentity, isAnsibleOfRun, processStartedAt } from '../../src/runner/index.ts';

// A stand-in named ansible-playbook (the check reads the command line, not the binary).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-identity-'));
const fake = path.join(dir, 'ansible-playbook');
fs.writeFileSync(fake, '#!/bin/sh\nsleep 30\n', { mode: 0o755 });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('recognises the process group of a run\'s ansible-playbook, and nothing else', async () => {
  const startedAt = new Date(Date.now() - 500);
  const ansible = execa(fake, [], { detached: true });
  const other = execa('sleep', ['30'], { detached: true });
  await new Promise((resolve) => setTimeout(resolve, 200));
  try {
    expect(isAnsibleOfRun(ansible.pid!, startedAt)).toBe(true);
    // Another program under a reused number, and an ansible-playbook older than the run, are not it.
    expect(isAnsibleOfRun(other.pid!, startedAt)).toBe(false);
    expect(isAnsibleOfRun(ansible.pid!, new Date(Date.now() + 60_000))).toBe(false);
    expect(isAnsibleOfRun(2 ** 22 + 12345, startedAt)).toBe(false);
  } finally {
    ansible.kill('SIGKILL');
    other.kill('SIGKILL');
    await Promise.allSettled([ansible, other]);
  }
});

it('tells a process that ended from one that runs: gone, a zombie, or its pid reused', async () => {
  expect(hostIdentity()).toContain(os.hostname());
  expect(hostIdentity()).toMatch(/boot:[0-9a-f-]{36} pid:\[\d+\]$/);
  const ownStart = processStartedAt(process.pid)!;
  expect(Math.abs(ownStart.getTime() - performance.timeOrigin)).toBeLessThan(2_000);
  expect(hasProcessEnded(process.pid, ownStart)).toBe(false);
  // The same number, but a process that started an hour earlier: that one has ended.
  expect(hasProcessEnded(process.pid, new Date(ownStart.getTime() - 3_600_000))).toBe(true);

  const exited = execa('true');
  const exitedStart = processStartedAt(exited.pid!) ?? new Date();
  await exited;
  expect(hasProcessEnded(exited.pid!, exitedStart)).toBe(true);

  // A child that exits under a parent that never waits for it stays a zombie.
  const parent = execa('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30']);
  try {
    const zombiePid = await new Promise<number>((resolve) => parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    const zombieStart = processStartedAt(zombiePid)!;
    expect(hasProcessEnded(zombiePid, zombieStart)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fs.readFileSync(`/proc/${zombiePid}/stat`, 'utf8')).toMatch(/\) Z /);
    expect(hasProcessEnded(zombiePid, zombieStart)).toBe(true);
  } finally {
    parent.kill('SIGKILL');
    await Promise.allSettled([parent]);
  }
  // Not a process: 0 and below name process groups.
  expect(hasProcessEnded(0, ownStart)).toBe(false);
});
