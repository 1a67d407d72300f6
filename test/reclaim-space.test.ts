import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/infra/db/database.ts';

// PGlite has no autovacuum: without reclaimSpace its files grow with every deleted or updated row.
describe('reclaimSpace on the embedded database', { timeout: 120_000 }, () => {
  let dir: string;
  let database: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'provisio-reclaim-'));
    database = await openDatabase({ dataDir: dir, logger: pino({ level: 'silent' }) });
    await database.prisma.$executeRawUnsafe('CREATE TABLE churn (id int PRIMARY KEY, body text)');
  }, 180_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const size = async (): Promise<number> => {
    const [row] = await database.prisma.$queryRawUnsafe<Array<{ bytes: bigint }>>(`SELECT pg_relation_size('churn') AS bytes`);
    return Number(row!.bytes);
  };
  const churn = async (): Promise<void> => {
    await database.prisma.$executeRawUnsafe(`INSERT INTO churn SELECT n, repeat('x', 500) FROM generate_series(1, 4000) AS n`);
    await database.prisma.$executeRawUnsafe('DELETE FROM churn');
  };

  it('lets deleted rows be reused, while a transaction is in flight too', async () => {
    await churn();
    const once = await size();
    await churn();
    const twice = await size();
    expect(twice).toBeGreaterThan(once * 1.5); // without a vacuum the dead rows stay

    // A transaction in flight on PGlite's one session: the vacuum waits for it instead of failing.
    let release!: () => void;
    const held = database.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('INSERT INTO churn VALUES (0, $1)', 'held');
      await new Promise<void>((resolve) => (release = resolve));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const vacuum = database.reclaimSpace();
    release();
    await Promise.all([held, vacuum]);

    for (let i = 0; i < 3; i++) {
      await churn();
      await database.reclaimSpace();
    }
    expect(await size()).toBeLessThanOrEqual(twice);
  });
});
