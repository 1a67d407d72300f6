import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from '../support/app.ts';

// A PATH with no ansible-playbook and an apt-get that only records that it was called.
const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-setup-'));
const calls = path.join(bin, 'apt-get.calls');
fs.writeFileSync(path.join(bin, 'apt-get'), `#!/bin/sh\necho "$@" >> ${calls}\n`, { mode: 0o755 });
afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));
// The machine's PATH without the folders that hold the real ansible-playbook or apt-get.
const PATH = [bin, ...(process.env['PATH'] ?? '').split(':').filter((dir) => dir && !['ansible-playbook', 'apt-get'].some((tool) => fs.existsSync(path.join(dir, tool))))].join(':');

it('starting the server never installs anything: without Ansible it warns and goes on', async () => {
  const result = await execa(process.execPath, [path.join(repoRoot, 'scripts/setup.ts')], { cwd: repoRoot, env: { PATH }, reject: false });
  expect(result.exitCode).toBe(0);
  expect(result.stderr).toContain('ansible-playbook is not installed: the API works, but no playbook can run');
  expect(fs.existsSync(calls)).toBe(false);
});

// It installs only as root (as CI and the README's setup run).
it.skipIf(process.getuid?.() !== 0)('the explicit setup step installs ansible-core', async () => {
  const result = await execa(process.execPath, [path.join(repoRoot, 'scripts/setup.ts'), '--install'], { cwd: repoRoot, env: { PATH }, reject: false });
  // The recording apt-get installs nothing, so setup then reports ansible-playbook still missing.
  expect(fs.readFileSync(calls, 'utf8')).toContain('install -y -qq --no-install-recommends ansible-core');
  expect(result.exitCode).toBe(1);
});
