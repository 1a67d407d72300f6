import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlStatements } from '../src/infra/db/sql-statements.ts';
import { pgliteExecute } from '../src/infra/db/pglite/execute.ts';
import { MAX_PREPARED_STATEMENTS, pgExecute } from '../src/infra/db/prepared.ts';
import { createTestDatabase } from './support/database.ts';

// execute(): the event writer's statements, prepared once per session. Both drivers, real databases.

interface Subject {
  execute: SqlStatements['execute'];
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Holds a transaction open until `release` resolves, then commits. */
  holdTransaction(release: Promise<void>): Promise<void>;
  close(): Promise<void>;
}

const TABLE = `CREATE TABLE t (id int PRIMARY KEY, label text, flag boolean, at timestamptz, doc jsonb)`;
const INSERT = `INSERT INTO t (id, label, flag, at, doc) VALUES ($1, $2, $3, $4, $5)`;

function executeSuite(name: string, open: () => Promise<Subject>) {
  describe(name, { timeout: 60_000 }, () => {
    let db: Subject;
    beforeAll(async () => {
      db = await open();
    }, 120_000);
    afterAll(() => db?.close());

    it('runs a prepared statement again and again with text, number, boolean, time, JSON and null parameters', async () => {
      const at = new Date('2026-11-27T03:00:00.123Z');
      for (let id = 1; id <= 12; id++) await db.execute(INSERT, [id, `row ${id}`, id % 2 === 0, at, JSON.stringify({ id })], { prepared: true });
      await db.execute(INSERT, [13, null, null, null, null], { prepared: true });
      const rows = await db.query<{ id: number; label: string | null; flag: boolean | null; at: Date | null; doc: unknown }>('SELECT * FROM t ORDER BY id');
      expect(rows).toHaveLength(13);
      expect(rows[3]).toEqual({ id: 4, label: 'row 4', flag: true, at, doc: { id: 4 } });
      expect(rows[12]).toEqual({ id: 13, label: null, flag: null, at: null, doc: null });
    });

    it('reports a failing statement with the database error and stays usable', async () => {
      await expect(db.execute(INSERT, [1, 'again', true, null, null], { prepared: true })).rejects.toMatchObject({ code: '23505' });
      await expect(db.execute('INSERT INTO missing VALUES ($1)', [1], { prepared: true })).rejects.toMatchObject({ code: '42P01' });
      await db.execute(INSERT, [100, 'after the errors', false, null, null], { prepared: true });
      await db.execute(`UPDATE t SET label = $1 WHERE id = $2`, ['unprepared', 100]);
      expect(await db.query('SELECT label FROM t WHERE id = 100')).toEqual([{ label: 'unprepared' }]);
    });

    it('prepares again when the database dropped its statements', async () => {
      await db.execute(INSERT, [50, 'before', true, null, null], { prepared: true });
      await db.query('DEALLOCATE ALL');
      await db.execute(INSERT, [51, 'after', true, null, null], { prepared: true });
      expect(await db.query('SELECT label FROM t WHERE id >= 50 AND id < 60 ORDER BY id')).toEqual([{ label: 'before' }, { label: 'after' }]);
    });

    it('does not run inside somebody else’s transaction', async () => {
      let release!: () => void;
      const held = db.holdTransaction(new Promise<void>((resolve) => (release = resolve)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const written = db.execute(INSERT, [200, 'outside', true, null, null], { prepared: true });
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      await held;
      await written;
      expect(await db.query('SELECT label FROM t WHERE id = 200')).toEqual([{ label: 'outside' }]);
    });

    it('refuses a parameter it cannot send as text', async () => {
      await expect(db.execute(INSERT, [300, { not: 'a string' }, true, null, null])).rejects.toThrow(/unsupported statement parameter: \[object Object\] \(pass JSON as a string\)/);
    });

    // Last: it fills the cache of prepared statements.
    it('keeps working past the number of statements it keeps prepared', async () => {
      for (let i = 0; i < MAX_PREPARED_STATEMENTS + 10; i++) await db.execute(`UPDATE t SET label = $1 WHERE id = $2 AND ${i} = ${i}`, [`shape ${i}`, 2], { prepared: true });
      expect(await db.query('SELECT label FROM t WHERE id = 2')).toEqual([{ label: `shape ${MAX_PREPARED_STATEMENTS + 9}` }]);
    });
  });
}

executeSuite('execute on PGlite', async () => {
  const lite = await PGlite.create();
  await lite.exec(TABLE);
  return {
    execute: pgliteExecute(lite),
    query: async (sql, params) => (await lite.query<never>(sql, params)).rows,
    // A transaction that rolls back: were the execute inside it, its row would be gone.
    holdTransaction: (release) => lite.transaction(async (tx) => {
      await tx.query(`INSERT INTO t (id, label) VALUES (201, 'rolled back')`);
      await release;
      await tx.rollback();
    }),
    close: () => lite.close(),
  };
});

executeSuite('execute on PostgreSQL', async () => {
  const database = await createTestDatabase(process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test');
  const pool = new pg.Pool({ connectionString: database.url, max: 3 });
  await pool.query(TABLE);
  return {
    execute: pgExecute(pool),
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    // On PostgreSQL another session's open transaction is isolation's business, not execute's.
    holdTransaction: async (release) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await release;
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
});
