import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../src/infra/db/migrate.ts';
import { defaultMigrationsDir, migrationChecksum } from '../src/infra/db/migration-files.ts';
import { pgliteExecutor } from '../src/infra/db/pglite/sql-executor.ts';
import { pgExecutor, type SqlExecutor } from '../src/infra/db/sql-executor.ts';
import { findTransactionControl, stripTransactionControl } from '../src/infra/db/transaction-control.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPO_MIGRATIONS = join(ROOT, 'prisma/migrations');
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'provisio-migrate-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

let dirCount = 0;
/** A copy of the repo's migrations plus extra ones (name → SQL). */
async function migrationsWith(extra: Record<string, string>, edit?: (name: string, sql: string) => string): Promise<string> {
  const dir = join(tmp, `migrations-${++dirCount}`);
  await cp(REPO_MIGRATIONS, dir, { recursive: true });
  if (edit) {
    for (const name of (await readdir(dir)).filter((n) => n !== 'migration_lock.toml')) {
      const file = join(dir, name, 'migration.sql');
      await writeFile(file, edit(name, await readFile(file, 'utf8')));
    }
  }
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function tableNames(db: SqlExecutor): Promise<string[]> {
  const rows = await db.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY 1`,
  );
  return rows.map((r) => r.relname);
}

interface Row { migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; logs: string | null; rolled_back_at: Date | null }

const BROKEN = `-- creates a table, then fails: nothing may be left behind
CREATE TABLE "Leftover" (id int);
ALTER TABLE "DoesNotExist" ADD COLUMN x int;
`;
// Prisma writes BEGIN/COMMIT for enum value removal; a naive outer transaction would commit
// "EarlyCommit" at the inner COMMIT and leave it behind when the next statement fails.
const BROKEN_WITH_COMMIT = `BEGIN;
CREATE TABLE "EarlyCommit" (id int);
COMMIT;
CREATE TABLE "Leftover2" (id int);
SELECT 1/0;
`;
const GOOD_WITH_BLOCKS = `-- AlterEnum
BEGIN;
CREATE TYPE "Colour" AS ENUM ('RED', 'GREEN');
CREATE TABLE "Painted" (id int, colour "Colour" NOT NULL DEFAULT 'RED', note text DEFAULT 'BEGIN; COMMIT;');
COMMIT;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "Painted") THEN
    INSERT INTO "Painted" (id) VALUES (1);
  END IF;
END
$$;
`;

function applySuite(name: string, open: () => Promise<{ db: SqlExecutor; close: () => Promise<void> }>) {
  describe(name, { timeout: 120_000 }, () => {
    let db: SqlExecutor;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
    }, 120_000);
    afterAll(async () => {
      await close?.();
    });

    it('applies to a fresh database: tables and _prisma_migrations rows like migrate deploy', async () => {
      const { applied, fresh } = await applyMigrations(db);
      expect(fresh).toBe(true);
      expect(applied.length).toBeGreaterThan(0);
      expect(applied[0]).toMatch(/^\d{14}_init$/);
      const tables = await tableNames(db);
      expect(tables).toEqual(expect.arrayContaining(['_prisma_migrations', 'Product', 'Service', 'InventoryItem', 'ProvisioningRun', 'RunEvent']));
      const rows = await db.query<Row>('SELECT * FROM _prisma_migrations ORDER BY started_at');
      expect(rows.map((r) => r.migration_name)).toEqual(applied);
      for (const r of rows) {
        const sql = await readFile(join(defaultMigrationsDir, r.migration_name, 'migration.sql'), 'utf8');
        expect(r.checksum).toBe(migrationChecksum(sql));
        expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(r.finished_at).toBeInstanceOf(Date);
        expect(r.applied_steps_count).toBe(1);
        expect(r.logs).toBeNull();
        expect(r.rolled_back_at).toBeNull();
      }
    });

    it('is a no-op the second time', async () => {
      const before = await db.query('SELECT * FROM _prisma_migrations ORDER BY id');
      expect(await applyMigrations(db)).toEqual({ applied: [], fresh: false });
      expect(await db.query('SELECT * FROM _prisma_migrations ORDER BY id')).toEqual(before);
    });

    it('refuses an applied migration whose file changed', async () => {
      const dir = await migrationsWith({}, (_n, sql) => `${sql}-- edited afterwards\n`);
      await expect(applyMigrations(db, { migrationsDir: dir })).rejects.toThrow(/modified afterwards \(checksum mismatch\)/);
    });

    it('accepts a checksum taken with other line endings, as Prisma does', async () => {
      const dir = await migrationsWith({}, (_n, sql) => sql.replaceAll('\n', '\r\n'));
      expect(await applyMigrations(db, { migrationsDir: dir })).toMatchObject({ applied: [] });
    });

    it('rolls a failing migration back entirely and records nothing', async () => {
      const dir = await migrationsWith({ '20990101000000_broken': BROKEN });
      await expect(applyMigrations(db, { migrationsDir: dir })).rejects.toThrow(/20990101000000_broken failed and was rolled back: relation "DoesNotExist" does not exist \(SQLSTATE 42P01\)/);
      expect(await tableNames(db)).not.toContain('Leftover');
      expect(await db.query(`SELECT 1 FROM _prisma_migrations WHERE migration_name = '20990101000000_broken'`)).toEqual([]);
      expect(await db.query('SELECT 1 FROM _prisma_migrations WHERE finished_at IS NULL')).toEqual([]);
    });

    it('points at the line of a syntax error', async () => {
      const dir = await migrationsWith({ '20990101000000_typo': `-- typo\nCREATE TABLE "Typo" (id int);\nSELEC 1;\n` });
      await expect(applyMigrations(db, { migrationsDir: dir })).rejects.toThrow(/syntax error.*\(SQLSTATE 42601\) at line 3: SELEC 1;/);
      expect(await tableNames(db)).not.toContain('Typo');
    });

    it('does not let BEGIN;/COMMIT; inside a migration commit part of it', async () => {
      const dir = await migrationsWith({ '20990101000000_commit_inside': BROKEN_WITH_COMMIT });
      await expect(applyMigrations(db, { migrationsDir: dir })).rejects.toThrow(/division by zero/);
      const tables = await tableNames(db);
      expect(tables).not.toContain('EarlyCommit');
      expect(tables).not.toContain('Leftover2');
      expect(await db.query(`SELECT 1 FROM _prisma_migrations WHERE migration_name LIKE '2099%'`)).toEqual([]);
    });

    it('applies a migration with BEGIN;/COMMIT; and a DO block, then the next start is a no-op', async () => {
      const dir = await migrationsWith({ '20990101000000_blocks': GOOD_WITH_BLOCKS });
      expect(await applyMigrations(db, { migrationsDir: dir })).toMatchObject({ applied: ['20990101000000_blocks'] });
      expect(await db.query('SELECT id, colour, note FROM "Painted"')).toEqual([{ id: 1, colour: 'RED', note: 'BEGIN; COMMIT;' }]);
      expect(await applyMigrations(db, { migrationsDir: dir })).toMatchObject({ applied: [] });
      // Undo, so the other tests keep seeing the repo's migrations only.
      await db.exec(`DROP TABLE "Painted"; DROP TYPE "Colour"; DELETE FROM _prisma_migrations WHERE migration_name = '20990101000000_blocks';`);
    });

    it('refuses to start while a failed migration is recorded (as migrate deploy leaves them)', async () => {
      await db.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at) VALUES ($1, $2, $3, $4, now())`,
        ['00000000-0000-4000-8000-000000000001', 'f'.repeat(64), '20990101000000_failed', 'relation "x" does not exist'],
      );
      try {
        await expect(applyMigrations(db)).rejects.toThrow(/Failed migrations.*P3009.*20990101000000_failed.*relation "x" does not exist/s);
      } finally {
        await db.query(`DELETE FROM _prisma_migrations WHERE migration_name = '20990101000000_failed'`);
      }
      expect(await applyMigrations(db)).toMatchObject({ applied: [] });
    });
  });
}

applySuite('applyMigrations on PGlite', async () => {
  const lite = await PGlite.create();
  return { db: pgliteExecutor(lite), close: () => lite.close() };
});

// A throwaway database per run on the local PostgreSQL, dropped afterwards.
const dbName = `provisio_migtest_${process.pid}_${Date.now().toString(36)}`;
let admin: pg.Client | undefined;
const pools: pg.Pool[] = [];
async function createDb(name: string): Promise<pg.Pool> {
  if (!admin) {
    admin = new pg.Client({ ...PG, database: 'test' });
    await admin.connect();
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  const pool = new pg.Pool({ ...PG, database: name, max: 4 });
  pools.push(pool);
  return pool;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  if (admin) {
    for (const name of [dbName, `${dbName}_race`, `${dbName}_dirty`]) {
      // Let closing connections finish first: FORCE would kill them and their clients would
      // raise an unhandled 'error'.
      for (let i = 0; i < 50; i++) {
        const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (rows[0]?.n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
    await admin.end();
  }
});

applySuite('applyMigrations on PostgreSQL', async () => {
  const pool = await createDb(dbName);
  return { db: pgExecutor(pool), close: async () => {} };
});

describe('applyMigrations on PostgreSQL: concurrency and safety', { timeout: 60_000 }, () => {
  it('migrates once when two instances start together (advisory lock)', async () => {
    const pool = await createDb(`${dbName}_race`);
    const other = new pg.Pool({ ...PG, database: `${dbName}_race`, max: 2 });
    pools.push(other);
    const [a, b] = await Promise.all([applyMigrations(pgExecutor(pool)), applyMigrations(pgExecutor(other))]);
    expect([...a.applied, ...b.applied].filter((n) => n.endsWith('_init'))).toHaveLength(1);
    expect([a.fresh, b.fresh].filter(Boolean)).toHaveLength(1);
    const rows = await pool.query('SELECT migration_name FROM _prisma_migrations');
    expect(rows.rowCount).toBe(a.applied.length + b.applied.length);
  });

  it('waits for the lock another session holds, and gives up with a clear error', async () => {
    // Advisory locks are per database: hold Prisma Migrate's key in the same one.
    const holder = new pg.Client({ ...PG, database: dbName });
    await holder.connect();
    const pool = new pg.Pool({ ...PG, database: dbName, max: 2 });
    pools.push(pool);
    try {
      await holder.query('SELECT pg_advisory_lock(72707369)');
      const logs: string[] = [];
      await expect(applyMigrations(pgExecutor(pool), { lockTimeoutMs: 700, log: (m) => logs.push(m) })).rejects.toThrow(/Timed out after 700 ms waiting for the migration lock/);
      expect(logs).toContain('another instance is migrating this database; waiting for it');
      const waiting = applyMigrations(pgExecutor(pool), { lockTimeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 300));
      await holder.query('SELECT pg_advisory_unlock(72707369)');
      expect(await waiting).toMatchObject({ applied: [] });
    } finally {
      await holder.end();
    }
  });

  it('refuses a non-empty database that has no _prisma_migrations (P3005)', async () => {
    const pool = await createDb(`${dbName}_dirty`);
    await pool.query('CREATE TABLE someone_elses (id int)');
    await expect(applyMigrations(pgExecutor(pool))).rejects.toThrow(/not empty.*someone_elses.*P3005/);
  });

  it('works over a single pg.Client too', async () => {
    const client = new pg.Client({ ...PG, database: dbName });
    await client.connect();
    try {
      expect(await applyMigrations(pgExecutor(client))).toMatchObject({ applied: [] });
    } finally {
      await client.end();
    }
  });
});

describe('transaction control lexer', () => {
  it('finds top-level BEGIN/COMMIT only', () => {
    const sql = `BEGIN;\nSELECT 'BEGIN;';\n-- COMMIT;\n/* COMMIT; /* nested */ */\nDO $x$ BEGIN PERFORM 1; END $x$;\nSELECT "COMMIT";\nCOMMIT;\n`;
    const found = findTransactionControl(sql).map((r) => sql.slice(r.start, r.end).trim());
    expect(found).toEqual(['BEGIN;', 'COMMIT;']);
  });

  it('keeps SQL-standard function bodies (BEGIN ATOMIC … END) intact', () => {
    const sql = `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;\nEND TRANSACTION;`;
    const found = findTransactionControl(sql).map((r) => sql.slice(r.start, r.end).trim());
    expect(found).toEqual(['END TRANSACTION;']);
  });

  it('blanks statements but keeps line numbers', () => {
    const sql = `BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n`;
    const out = stripTransactionControl(sql);
    expect(out.split('\n')).toHaveLength(sql.split('\n').length);
    expect(out).not.toMatch(/BEGIN|COMMIT/);
    expect(out).toContain('CREATE TABLE t (id int);');
  });
});

describe('scripts/migrations.ts check', { timeout: 120_000 }, () => {
  const script = join(ROOT, 'scripts/migrations.ts');

  it('exits 0 on the repo (in-memory PGlite shadow)', async () => {
    const env = { ...process.env };
    delete env['SHADOW_DATABASE_URL'];
    const res = await execa(process.execPath, [script, 'check'], { cwd: ROOT, reject: false, env, extendEnv: false });
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
  });

  it('exits non-zero with the SQL diff when schema.prisma gained a field (PostgreSQL shadow)', async () => {
    const schema = await readFile(join(ROOT, 'prisma/schema.prisma'), 'utf8');
    const changed = schema.replace(/^model Product \{\n/m, (m) => `${m}  extraNote String?\n`);
    expect(changed).not.toBe(schema);
    const file = join(tmp, 'schema.prisma');
    await writeFile(file, changed);
    const res = await execa(process.execPath, [script, 'check', '--schema', file], {
      cwd: ROOT,
      reject: false,
      env: { SHADOW_DATABASE_URL: `postgres://${PG.user}@${PG.host}:${PG.port}/test` },
    });
    expect(res.exitCode).toBe(2);
    expect(res.stdout).toMatch(/ALTER TABLE "Product" ADD COLUMN\s+"extraNote" TEXT;/);
    expect(res.stderr).toMatch(/drift/);
  });
});
