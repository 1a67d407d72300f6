import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { isAnsibleOfRun } from '../../src/runner/index.ts';

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
