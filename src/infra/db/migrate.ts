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
import { randomUUID } from 'node:crypto';
import { MigrationError } from './migration-error.ts';
import { checksumMatches, defaultMigrationsDir, readMigrations, type MigrationFile } from './migration-files.ts';
import type { SqlExecutor, SqlQueryable } from './sql-executor.ts';
import { stripTransactionControl } from './transaction-control.ts';

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
