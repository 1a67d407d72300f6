// Runs SQL against a database driver: the little the migration applier and the raw-SQL callers
// need (query, a script, a transaction, a pinned session). node-postgres here; PGlite's is in
// pglite/sql-executor.ts.
import type { Client, Pool, PoolClient } from 'pg';
import { MigrationError } from './migration-error.ts';

export interface SqlQueryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** A multi-statement script, no parameters (simple query protocol). */
  exec(sql: string): Promise<void>;
}

export interface SqlExecutor extends SqlQueryable {
  /** Runs fn in BEGIN … COMMIT, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Runs fn on one pinned connection. Only where a database has several sessions (PostgreSQL):
   * advisory locks belong to a session. PGlite has a single session and leaves this out.
   */
  session?<T>(fn: (conn: SqlExecutor) => Promise<T>): Promise<T>;
}

type PgConn = Client | PoolClient;

function pgQueryable(conn: Pool | PgConn): SqlQueryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]) {
      const res = await conn.query(sql, params ? [...params] : undefined);
      return res.rows as T[];
    },
    async exec(sql: string) {
      // No values: node-postgres uses the simple protocol, which accepts several statements.
      await conn.query(sql);
    },
  };
}

/** Connections whose ROLLBACK failed: their state is unknown, so a pool must not reuse them. */
const dirty = new WeakSet<PgConn>();

function pgConnExecutor(conn: PgConn): SqlExecutor {
  const q = pgQueryable(conn);
  return {
    ...q,
    async transaction(fn) {
      await conn.query('BEGIN');
      try {
        const out = await fn(q);
        await conn.query('COMMIT');
        return out;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => dirty.add(conn));
        throw err;
      }
    },
    session: (fn) => fn(pgConnExecutor(conn)),
  };
}

function isPool(x: Pool | PgConn): x is Pool {
  // Duck-typed so this module does not load `pg` at run time (the PGlite profile has no use for it).
  return 'totalCount' in x && 'idleCount' in x;
}

/** Executor over node-postgres: a Pool (a connection is checked out per session) or a connected Client. */
export function pgExecutor(db: Pool | PgConn): SqlExecutor {
  if (!isPool(db)) return pgConnExecutor(db);
  const pool = db;
  // `trusted`: whether an error still leaves the connection clean. A transaction's is (it rolled
  // back). A session's only for MigrationErrors (the applier unlocked): arbitrary session code may
  // leave locks or settings behind, so such a connection is destroyed instead of pooled.
  const withConn = async <T>(fn: (conn: SqlExecutor) => Promise<T>, trusted: (err: unknown) => boolean): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(pgConnExecutor(client));
    } catch (err) {
      if (dirty.has(client) || !trusted(err)) broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(broken);
    }
  };
  return {
    ...pgQueryable(pool),
    transaction: (fn) => withConn((conn) => conn.transaction(fn), () => true),
    session: (fn) => withConn(fn, (err) => err instanceof MigrationError),
  };
}
