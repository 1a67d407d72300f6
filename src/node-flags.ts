/**
 * Node flags of a server process: `npm start` passes them, as do the tests' and the benches'
 * spawners and the child that initialises an embedded data directory.
 * - `--liftoff-only` keeps PGlite's WebAssembly on V8's baseline compiler: the optimising one takes
 *   ~600 MB of memory for one of PostgreSQL's functions a moment after start (RSS 830 MB, then back
 *   to 300) and its compile threads take the CPU from the first requests. Its code runs SQL ~25 %
 *   faster, which the event path does not need (bench/README.md).
 * - `--max-semi-space-size=8` caps V8's young generation at 16 MB: by default it grows to 128 MB on a
 *   large machine, memory the server holds for good after a burst (RSS peak in the load bench
 *   436–453 → 400–404 MiB, beside the biggest allowed queries 489 → 388 MiB, for CPU within noise).
 */
export const SERVER_NODE_FLAGS = ['--liftoff-only', '--max-semi-space-size=8'];
