import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDataDir, repoRoot } from './support/app.ts';
import { query } from './support/client.ts';
import { profile } from './support/database.ts';
import { ProductsQuery } from './support/documents.ts';
import { spawnServer } from './support/server-process.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDataDir(): string {
  const dir = freshDataDir();
  dirs.push(dir);
  return dir;
}

describe.skipIf(profile !== 'embedded')('embedded server process', () => {
  it('seeds demo data on first start, refuses a second process on the same data dir, and drains on SIGTERM', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer({ PROVISIO_DATA_DIR: dataDir });
    const seeded = await query(first.url, ProductsQuery, {});
    expect(seeded.products.nodes.map((p) => p.slug)).toEqual(['fibre-broadband', 'mobile-sim-plan', 'voip-line']);

    const second = await execa(process.execPath, [path.join(repoRoot, 'src/main.ts')], {
      cwd: repoRoot,
      env: { PORT: '0', PROVISIO_DATA_DIR: dataDir },
      reject: false,
      timeout: 20_000,
    });
    expect(second.exitCode).toBe(3);
    expect(second.stdout + second.stderr).toContain('is in use by another Provisio process');
    // The first server is untouched and still answers.
    expect((await query(first.url, ProductsQuery, {})).products.totalCount).toBe(3);

    first.process.kill('SIGTERM');
    const result = await first.process;
    expect(result.exitCode).toBe(0);
    expect(result.all).toContain('stopped');
    expect(fs.existsSync(path.join(dataDir, 'provisio.lock'))).toBe(false);

    // A restart reuses the data without seeding twice.
    const again = await spawnServer({ PROVISIO_DATA_DIR: dataDir });
    expect((await query(again.url, ProductsQuery, {})).products.totalCount).toBe(3);
    again.process.kill('SIGTERM');
    expect((await again.process).exitCode).toBe(0);
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer({ PROVISIO_DATA_DIR: dataDir, PROVISIO_SEED_DEMO: 'false' });
    first.process.kill('SIGKILL');
    await first.process;
    expect(fs.existsSync(path.join(dataDir, 'provisio.lock'))).toBe(true);
    const second = await spawnServer({ PROVISIO_DATA_DIR: dataDir, PROVISIO_SEED_DEMO: 'false' });
    expect((await query(second.url, ProductsQuery, {})).products.totalCount).toBe(0);
    second.process.kill('SIGTERM');
    expect((await second.process).exitCode).toBe(0);
  });
});

describe('configuration', () => {
  it('stops with a clear message on invalid settings', async () => {
    const result = await execa(process.execPath, [path.join(repoRoot, 'src/main.ts')], {
      cwd: repoRoot,
      env: { PORT: 'eighty', DATABASE_URL: 'mysql://nope' },
      reject: false,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('DATABASE_URL must be a postgres');
  });
});
