import type { PGliteOptions } from '@electric-sql/pglite';

/** Modest buffers keep the footprint small: the workload is a control plane, not analytics. */
export const PGLITE_OPTIONS: PGliteOptions = {
  postgresqlconf: ['shared_buffers = 16MB', 'work_mem = 4MB', 'maintenance_work_mem = 16MB'],
};

/** Where a data directory keeps its files; PG_VERSION there means it was initialised. */
export const pgdataDir = (dataDir: string): string => `${dataDir}/pgdata`;
