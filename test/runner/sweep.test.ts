import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sweepOrphanedRunDirs } from '../../src/runner/index.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-sweep-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function runDir(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { mode: 0o700 });
  fs.writeFileSync(path.join(dir, 'vars.json'), '{"secret":"x"}', { mode: 0o600 });
  return dir;
}

it('removes the private run directories of dead processes and keeps those of live ones', async () => {
  const exited = execa(process.execPath, ['-e', 'process.exit(0)']);
  const dead = exited.pid!;
  await exited;
  const live = execa(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  const orphan = runDir(`provisio-run-${dead}-abc123`);
  const others = [runDir(`provisio-run-${live.pid}-def456`), runDir(`provisio-run-${process.pid}-ghi789`), runDir('something-else')];
  expect(await sweepOrphanedRunDirs(tmp)).toBe(1);
  expect(fs.existsSync(orphan)).toBe(false);
  for (const dir of others) expect(fs.existsSync(dir)).toBe(true);
  live.kill();
  await live.catch(() => {});
});
