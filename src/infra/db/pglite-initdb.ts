// Worker thread: initialises a new PGlite data directory and exits. initdb runs in a second
// WebAssembly instance whose memory (~450 MB) V8 frees only at a full GC, which an idle server may
// not run for hours; a worker's memory goes back to the system when it exits.
import { workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_OPTIONS } from './pglite-options.ts';

const db = await PGlite.create(workerData as string, PGLITE_OPTIONS);
await db.close();
