import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaClient } from '#generated/prisma/client.ts';
import type { Logger } from '../../logger.ts';
import { withBackgroundLane } from './background-lane.ts';
import { lockDataDir } from './lock.ts';
import { PGLITE_NODE_FLAGS, PGLITE_OPTIONS, pgdataDir } from './pglite/options.ts';
import { applyMigrations } from './migrate.ts';
import { pgliteExecutor } from './pglite/sql-executor.ts';
import { pgExecutor, type SqlExecutor } from './sql-executor.ts';
import { pgExecute } from './prepared.ts';
import type { SqlStatements } from './sql-statements.ts';

export type DatabaseProfile = 'embedded' | 'postgres';

/** An open, migrated database: the Prisma client plus what the app needs to close it. */
export interface Database {
  profile: DatabaseProfile;
  prisma: PrismaClient;
  /** Raw SQL for the few places Prisma cannot express (row locks with SKIP LOCKED, advisory locks) and the event writes. */
  sql: SqlExecutor & SqlStatements;
  /** True when this database was created (no migrations applied) by this open: the seed runs then. */
  fresh: boolean;
  /**
   * Makes the space of deleted and updated rows reusable. PostgreSQL's autovacuum does it by
   * itself; PGlite has none, so without this its files grow with every run, pruned or not.
   */
  reclaimSpace(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  logger: Logger;
}

/** Opens PostgreSQL when a URL is given, else embedded PGlite in dataDir; applies pending migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.logger) : openEmbedded(options.dataDir, options.logger);
}

async function openEmbedded(dataDir: string, logger: Logger): Promise<Database> {
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDir(dataDir);
  let pglite: PGlite | undefined;
  try {
    const pgdata = pgdataDir(dataDir);
    if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) await initialiseInChild(pgdata);
    // Each profile loads only its own drivers: start-up time and memory.
    const [{ PGlite }, { PrismaPGlite }, { pgliteExecute }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('pglite-prisma-adapter'),
      import('./pglite/execute.ts'),
    ]);
    pglite = await PGlite.create(pgdata, PGLITE_OPTIONS);
    const missingFlags = PGLITE_NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag));
    if (missingFlags.length) logger.warn({ missingFlags }, `started without ${missingFlags.join(' ')}: memory may peak ~500 MB higher in the first seconds (npm start passes it; or run node ${PGLITE_NODE_FLAGS.join(' ')} src/main.ts)`);
    const sql = { ...pgliteExecutor(pglite), execute: pgliteExecute(pglite) };
    const { applied, fresh } = await migrate(sql, logger);
    const adapter = withBackgroundLane(new PrismaPGlite(pglite));
    // PGlite has one session: transactions queue behind each other, so allow a longer wait.
    const prisma = new PrismaClient({ adapter, transactionOptions: { maxWait: 30_000, timeout: 60_000 } });
    logger.info({ dataDir, migrationsApplied: applied.length }, 'embedded database open');
    const opened = pglite;
    return {
      profile: 'embedded',
      prisma,
      sql,
      fresh,
      async reclaimSpace() {
        // Through Prisma, so it waits for a transaction in progress on PGlite's one session.
        await prisma.$executeRawUnsafe('VACUUM');
      },
      async close() {
        await prisma.$disconnect();
        await opened.close();
        lock.release();
      },
    };
  } catch (error) {
    await pglite?.close().catch(() => {});
    lock.release();
    throw error;
  }
}

/** initdb in a child process, whose memory is all returned when it exits (see pglite/initdb.ts). */
async function initialiseInChild(pgdata: string): Promise<void> {
  const script = fileURLToPath(new URL('./pglite/initdb.ts', import.meta.url));
  const child = spawn(process.execPath, [...PGLITE_NODE_FLAGS, script, pgdata], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
  if (code !== 0) throw new Error(`initialising the embedded database in ${pgdata} failed (exit code ${code}): ${stderr.trim()}`);
}

async function openPostgres(databaseUrl: string, logger: Logger): Promise<Database> {
  const [{ PrismaPg }, { default: pg }] = await Promise.all([import('@prisma/adapter-pg'), import('pg')]);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // An idle connection the server drops (a restart, a failover, an administrator) is replaced on
  // the next checkout; without a listener its error would crash the process. Prisma's adapter
  // listens only while connected.
  pool.on('error', (error) => logger.warn({ err: error }, 'an idle PostgreSQL connection was closed by the server'));
  try {
    const sql = { ...pgExecutor(pool), execute: pgExecute(pool) };
    const { applied, fresh } = await migrate(sql, logger);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: { maxWait: 10_000, timeout: 60_000 } });
    logger.info({ database: redactUrl(databaseUrl), migrationsApplied: applied.length }, 'postgres database open');
    return {
      profile: 'postgres',
      prisma,
      sql,
      fresh,
      async reclaimSpace() {
        // Autovacuum's job.
      },
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}

async function migrate(sql: SqlExecutor, logger: Logger): Promise<{ applied: string[]; fresh: boolean }> {
  // `fresh` is decided under the migration lock, so of two instances starting together only one seeds.
  return applyMigrations(sql, { log: (message) => logger.info(message) });
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
