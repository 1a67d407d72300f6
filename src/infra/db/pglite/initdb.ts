// Child process: initialises a new PGlite data directory (argv: its path) and exits. initdb runs
// in a second WebAssembly instance whose large memory V8 frees only at a full GC, which an idle
// server may not run for hours; even a worker thread leaves much of it behind in the process.
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_OPTIONS } from './options.ts';

const db = await PGlite.create(process.argv[2]!, PGLITE_OPTIONS);
await db.close();
