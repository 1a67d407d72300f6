import type { PGliteOptions } from '@electric-sql/pglite';

/** Modest buffers keep the footprint small: the workload is a control plane, not analytics. */
export const PGLITE_OPTIONS: PGliteOptions = {
  postgresqlconf: ['shared_buffers = 16MB', 'work_mem = 4MB', 'maintenance_work_mem = 16MB'],
};

/** Where a data directory keeps its files; PG_VERSION there means it was initialised. */
export const pgdataDir = (dataDir: string): string => `${dataDir}/pgdata`;

/**
 * Node flags for a process that opens PGlite (`npm start` passes them, as do the tests' and the
 * benches' spawners). `--liftoff-only` keeps PGlite's WebAssembly on V8's baseline compiler: the
 * optimising one takes hundreds of MB for one of PostgreSQL's functions a moment after start,
 * and its compile threads take the CPU from the first requests. Its code runs SQL faster, which
 * the event path does not need (figures in bench/README.md).
 */
export const PGLITE_NODE_FLAGS = ['--liftoff-only'];
