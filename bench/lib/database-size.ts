// The size of a stopped embedded database: as left, after VACUUM and after VACUUM FULL, per table.
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_OPTIONS, pgdataDir } from '../../src/infra/db/pglite/options.ts';

export interface TableSize {
  table: string;
  /** Heap, indexes and TOAST. */
  bytes: number;
  rows: number;
}

export interface DatabaseSizes {
  asLeft: { databaseBytes: number; tables: TableSize[] };
  afterVacuumBytes: number;
  afterVacuumFull: { databaseBytes: number; tables: TableSize[] };
}

async function databaseBytes(pglite: PGlite): Promise<number> {
  return Number((await pglite.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes')).rows[0]!.bytes);
}

/** The application's tables, biggest first. PGlite keeps no table statistics, so rows are counted. */
async function tableSizes(pglite: PGlite): Promise<TableSize[]> {
  const { rows } = await pglite.query<{ table: string; bytes: string }>(
    `SELECT relname AS table, pg_total_relation_size(relid)::text AS bytes FROM pg_stat_user_tables
     WHERE relname <> '_prisma_migrations' ORDER BY pg_total_relation_size(relid) DESC`,
  );
  const sizes: TableSize[] = [];
  for (const row of rows) {
    const counted = await pglite.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM "${row.table.replaceAll('"', '""')}"`);
    sizes.push({ table: row.table, bytes: Number(row.bytes), rows: counted.rows[0]!.rows });
  }
  return sizes;
}

/**
 * The stopped server's database as it was left, after VACUUM (makes deleted rows' space reusable,
 * rarely shrinks files) and after VACUUM FULL (rewrites every table: what the live rows take).
 */
export async function inspectDatabase(dataDir: string): Promise<DatabaseSizes> {
  const pglite = await PGlite.create(pgdataDir(dataDir), PGLITE_OPTIONS);
  try {
    const asLeft = { databaseBytes: await databaseBytes(pglite), tables: await tableSizes(pglite) };
    await pglite.exec('VACUUM');
    const afterVacuumBytes = await databaseBytes(pglite);
    await pglite.exec('VACUUM FULL');
    return { asLeft, afterVacuumBytes, afterVacuumFull: { databaseBytes: await databaseBytes(pglite), tables: await tableSizes(pglite) } };
  } finally {
    await pglite.close();
  }
}
