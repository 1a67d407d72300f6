// Applies prisma/migrations at server start without Prisma's schema engine (the Wasm engine
// alone takes seconds to load, and cold start has a target of 1 s). It writes the same
// `_prisma_migrations` rows as `prisma migrate deploy`, so the real CLI accepts the database.
//
// Differences from `migrate deploy`, on purpose:
// - each migration runs in one transaction together with its `_prisma_migrations` row, so a
//   failure leaves neither a partial schema nor a failed row behind (Prisma records a failed
//   row that must be resolved by hand);
// - `BEGIN;` / `COMMIT;` written inside a migration (Prisma does so for enum value removal) are
//   neutralised, as they would end that transaction early;
// - a migration edited after it was applied (checksum mismatch) is refused, not ignored.
import { createHash, randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGliteInterface, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import type { Client, Pool, PoolClient } from 'pg';

/** Migrations cannot be applied as they are; the message says why and what to do. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

// ---------------------------------------------------------------------------------------------
// Executor: the little this module needs from a database driver.

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

type PGliteLike = Pick<PGliteInterface, 'query' | 'exec' | 'transaction'>;

function pgliteQueryable(db: PGliteLike | PGliteTransaction): SqlQueryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]) {
      return (await db.query<T>(sql, params ? [...params] : undefined)).rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

/** Executor over a PGlite instance (one session: no `session`, hence no advisory lock). */
export function pgliteExecutor(db: PGliteLike): SqlExecutor {
  return {
    ...pgliteQueryable(db),
    // PGlite's own transaction() holds its mutex, so nothing else interleaves with the migration.
    transaction: (fn) => db.transaction((tx) => fn(pgliteQueryable(tx))),
  };
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

// ---------------------------------------------------------------------------------------------
// Migrations on disk.

/** The repository's prisma/migrations, found from this file rather than the working directory. */
export const defaultMigrationsDir: string = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

export const MIGRATION_LOCK_FILE = 'migration_lock.toml';

export interface MigrationFile {
  /** Folder name, e.g. `20261125120000_init`; also `migration_name` in `_prisma_migrations`. */
  name: string;
  script: string;
  /** sha256 hex of migration.sql, as Prisma computes it. */
  checksum: string;
}

export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/**
 * Whether a stored checksum matches a script, as Prisma decides: line endings may differ
 * (git autocrlf), and early Prisma versions stored hex without zero padding.
 */
export function checksumMatches(script: string, stored: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  return variants.some((s) => {
    const digest = createHash('sha256').update(s, 'utf8').digest();
    const hex = stored.length !== 0 && stored.length !== 64
      ? [...digest].map((b) => b.toString(16)).join('')
      : digest.toString('hex');
    return hex === stored;
  });
}

/** Reads `<dir>/<name>/migration.sql` in name order, like Prisma. Throws if the folder is missing. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new MigrationError(`Migrations folder ${dir} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  await checkLockfile(dir);
  const names = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      let script: string;
      try {
        script = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      } catch (err) {
        throw new MigrationError(`Migration ${name} has no readable migration.sql: ${(err as Error).message}`, { cause: err });
      }
      return { name, script, checksum: migrationChecksum(script) };
    }),
  );
}

async function checkLockfile(dir: string): Promise<void> {
  let lock: string;
  try {
    lock = await readFile(join(dir, MIGRATION_LOCK_FILE), 'utf8');
  } catch {
    return; // Prisma tolerates a missing lock file when applying.
  }
  const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(lock)?.[1];
  if (provider !== undefined && provider !== 'postgresql') {
    throw new MigrationError(`${join(dir, MIGRATION_LOCK_FILE)} says provider "${provider}"; these migrations are not for PostgreSQL (P3019).`);
  }
}

// ---------------------------------------------------------------------------------------------
// Transaction control inside migration scripts.

interface Range { start: number; end: number }

const TX_CONTROL = /^(?:BEGIN|START\s+TRANSACTION|COMMIT|END)(?:\s+(?:WORK|TRANSACTION))?(?:\s+ISOLATION\s+LEVEL\s+[A-Z ]+)?$/i;

/**
 * Finds top-level `BEGIN;` / `COMMIT;` (and synonyms) in a script. A small lexer: string
 * literals, quoted identifiers, dollar quotes, comments and `BEGIN ATOMIC … END` function
 * bodies are skipped, so PL/pgSQL `BEGIN … END` blocks are never touched.
 */
export function findTransactionControl(sql: string): Range[] {
  const found: Range[] = [];
  let stmtStart = 0;
  let words: string[] = []; // top-level words of the current statement, upper-cased
  let atomicDepth = 0; // > 0 inside BEGIN ATOMIC … END, where ';' does not end the statement
  let i = 0;
  const n = sql.length;

  const endStatement = (end: number) => {
    const text = words.join(' ');
    if (TX_CONTROL.test(text)) found.push({ start: stmtStart, end });
    stmtStart = end;
    words = [];
    atomicDepth = 0;
  };

  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') { depth++; i += 2; }
        else if (sql[i] === '*' && sql[i + 1] === '/') { depth--; i += 2; }
        else i++;
      }
    } else if (c === "'") {
      // E'…' strings allow backslash escapes; '' is an escaped quote in both kinds.
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && !/[\w$]/.test(sql[i - 2] ?? ' ');
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') { i += 2; continue; }
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") { i += 2; continue; }
          i++;
          break;
        }
        i++;
      }
      words.push('?');
    } else if (c === '"') {
      const close = sql.indexOf('"', i + 1);
      // "" inside an identifier is an escaped quote: the loop continues at the second one.
      i = close === -1 ? n : close + 1;
      words.push('?');
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '') && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m) {
        const close = sql.indexOf(m[0], i + m[0].length);
        i = close === -1 ? n : close + m[0].length;
        words.push('?');
      } else {
        i++;
      }
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(sql[j]!)) j++;
      const word = sql.slice(i, j).toUpperCase();
      if (atomicDepth > 0) {
        if (word === 'BEGIN' || word === 'CASE') atomicDepth++;
        else if (word === 'END') atomicDepth--;
      } else if (word === 'ATOMIC' && words.at(-1) === 'BEGIN' && words.length > 1) {
        atomicDepth = 1;
      }
      words.push(word);
      i = j;
    } else if (c === ';' && atomicDepth === 0) {
      endStatement(i + 1);
      i++;
    } else {
      if (!/\s/.test(c)) words.push(c);
      i++;
    }
  }
  if (words.length > 0) endStatement(n);
  return found;
}

/** The script with its top-level transaction control blanked out (newlines kept, so error positions still point at the right line). */
export function stripTransactionControl(sql: string): string {
  const ranges = findTransactionControl(sql);
  if (ranges.length === 0) return sql;
  let out = '';
  let last = 0;
  for (const r of ranges) {
    out += sql.slice(last, r.start) + sql.slice(r.start, r.end).replace(/[^\n]/g, ' ');
    last = r.end;
  }
  return out + sql.slice(last);
}

// ---------------------------------------------------------------------------------------------
// The applier.

/** `_prisma_migrations` exactly as Prisma's PostgreSQL connector creates it. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

/** Prisma Migrate's advisory lock key: holding the same one keeps us and the CLI apart too. */
const ADVISORY_LOCK_KEY = 72707369;

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  logs: string | null;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export interface ApplyMigrationsOptions {
  migrationsDir?: string;
  log?: (msg: string) => void;
  /** How long to wait for another instance's migration lock (PostgreSQL). Default 60 s. */
  lockTimeoutMs?: number;
}

export interface ApplyMigrationsResult {
  /** Names of the migrations this call applied, in order. */
  applied: string[];
  /**
   * True when this call found an empty database and created `_prisma_migrations`. Decided under
   * the migration lock, so of several instances starting together only one sees it (seed there).
   */
  fresh: boolean;
}

export async function applyMigrations(
  executor: SqlExecutor,
  opts: ApplyMigrationsOptions = {},
): Promise<ApplyMigrationsResult> {
  const dir = opts.migrationsDir ?? defaultMigrationsDir;
  const log = opts.log ?? (() => undefined);
  const migrations = await readMigrations(dir);
  if (!executor.session) return applyLocked(executor, migrations, log);
  return executor.session(async (conn) => {
    await acquireLock(conn, opts.lockTimeoutMs ?? 60_000, log);
    try {
      return await applyLocked(conn, migrations, log);
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
    }
  });
}

async function acquireLock(conn: SqlQueryable, timeoutMs: number, log: (msg: string) => void): Promise<void> {
  // Polling try-lock rather than pg_advisory_lock: a bounded wait with a clear error, and no
  // backend stuck forever behind a crashed peer's half-open connection.
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    const [row] = await conn.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [ADVISORY_LOCK_KEY]);
    if (row?.locked) return;
    if (Date.now() >= deadline) {
      throw new MigrationError(`Timed out after ${timeoutMs} ms waiting for the migration lock (pg_advisory_lock ${ADVISORY_LOCK_KEY}); another instance or \`prisma migrate\` holds it.`);
    }
    if (!told) {
      log('another instance is migrating this database; waiting for it');
      told = true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function applyLocked(
  db: SqlExecutor,
  migrations: MigrationFile[],
  log: (msg: string) => void,
): Promise<ApplyMigrationsResult> {
  const [reg] = await db.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`);
  let rows: MigrationRow[] = [];
  if (!reg?.t) {
    const tables = await db.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY 1`,
    );
    if (tables.length > 0) {
      // Same refusal as Prisma (P3005): tables we did not create would be clobbered or conflict.
      const names = tables.slice(0, 5).map((t) => t.relname).join(', ');
      throw new MigrationError(`The database schema is not empty (${names}${tables.length > 5 ? ', …' : ''}) and has no _prisma_migrations table (P3005). Baseline it (prisma migrate resolve --applied) or use an empty database.`);
    }
    await db.exec(CREATE_MIGRATIONS_TABLE);
  } else {
    rows = await db.query<MigrationRow>(
      `SELECT id, checksum, migration_name, logs, started_at, finished_at, rolled_back_at
       FROM _prisma_migrations ORDER BY started_at, migration_name`,
    );
  }

  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed.length > 0) {
    const details = failed
      .map((r) => `  ${r.migration_name} (started ${r.started_at.toISOString()})${r.logs?.trim() ? `: ${r.logs.trim()}` : ''}`)
      .join('\n');
    throw new MigrationError(`Failed migrations are recorded in _prisma_migrations (P3009); resolve them (prisma migrate resolve) before starting:\n${details}`);
  }

  const applied = new Map<string, MigrationRow>();
  for (const r of rows) if (r.rolled_back_at === null) applied.set(r.migration_name, r);

  const onDisk = new Set(migrations.map((m) => m.name));
  const edited = migrations.filter((m) => {
    const row = applied.get(m.name);
    return row !== undefined && !checksumMatches(m.script, row.checksum);
  });
  if (edited.length > 0) {
    const details = edited.map((m) => `  ${m.name}: applied ${applied.get(m.name)!.checksum}, on disk ${m.checksum}`).join('\n');
    throw new MigrationError(`Applied migrations were modified afterwards (checksum mismatch); restore them and put further changes in a new migration:\n${details}`);
  }
  const unknown = [...applied.keys()].filter((name) => !onDisk.has(name));
  if (unknown.length > 0) {
    // A newer release may have migrated this database: worth saying, not worth refusing.
    log(`database has migrations this build does not know: ${unknown.join(', ')}`);
  }

  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.name)) continue;
    log(`applying migration ${m.name}`);
    const started = performance.now();
    await applyOne(db, m);
    log(`applied ${m.name} in ${Math.round(performance.now() - started)} ms`);
    done.push(m.name);
  }
  return { applied: done, fresh: !reg?.t };
}

async function applyOne(db: SqlExecutor, m: MigrationFile): Promise<void> {
  const script = stripTransactionControl(m.script);
  try {
    await db.transaction(async (tx) => {
      const id = randomUUID();
      await tx.query(
        `INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name) VALUES ($1, $2, $3, $4)`,
        [id, m.checksum, new Date(), m.name],
      );
      // Guard against transaction control the lexer missed: the xid must survive the script.
      const [before] = await tx.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x');
      await tx.exec(script);
      const [after] = await tx.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x');
      if (before?.x !== after?.x) {
        throw new MigrationError(`Migration ${m.name} ended the applier's transaction (transaction control the applier did not recognise); check the database by hand.`);
      }
      await tx.query(
        `UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = $2 WHERE id = $1`,
        [id, new Date()],
      );
    });
  } catch (err) {
    if (err instanceof MigrationError) throw err;
    throw new MigrationError(`Migration ${m.name} failed and was rolled back: ${describeDbError(err, script)}`, { cause: err });
  }
}

function describeDbError(err: unknown, script: string): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; position?: string | number; detail?: string };
  let msg = e.message;
  if (e.code) msg += ` (SQLSTATE ${e.code})`;
  const pos = Number(e.position);
  if (Number.isInteger(pos) && pos > 0 && pos <= script.length + 1) {
    // Simple-protocol positions count from the start of the whole script.
    const before = script.slice(0, pos - 1);
    const line = before.split('\n').length;
    const lineText = script.split('\n')[line - 1]?.trim() ?? '';
    msg += ` at line ${line}: ${lineText}`;
  }
  if (e.detail) msg += `\n${e.detail}`;
  return msg;
}
