// A bench's exit paths: cleanup on completion, error and signals; temp and data directories.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Cleanup = () => void | Promise<void>;
const cleanups: Cleanup[] = [];
let signalsInstalled = false;

/** Runs on normal completion, on error and on SIGINT/SIGTERM, most recent first. */
export function onCleanup(cleanup: Cleanup): void {
  cleanups.push(cleanup);
  if (!signalsInstalled) {
    signalsInstalled = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: cleaning up`);
        void runCleanups().finally(() => process.exit(130));
      });
    }
    // A crash in a library callback must not leave servers or temp dirs behind either.
    process.once('uncaughtException', (error) => {
      console.error('uncaught exception:', error);
      void runCleanups().finally(() => process.exit(1));
    });
  }
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    const cleanup = cleanups.pop()!;
    try {
      await cleanup();
    } catch (error) {
      console.error('cleanup failed:', error);
    }
  }
}

/** A temp directory removed at cleanup. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `provisio-bench-${prefix}-`));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * An embedded data directory inside `parent`. When bench/run.ts provides an initialised PGlite
 * template (PROVISIO_BENCH_PGLITE_TEMPLATE), it is copied, saving initdb (seconds) per bench.
 */
export function embeddedDataDir(parent: string): string {
  const dataDir = path.join(parent, 'data');
  const template = process.env.PROVISIO_BENCH_PGLITE_TEMPLATE;
  if (template && fs.existsSync(template)) fs.cpSync(template, dataDir, { recursive: true });
  return dataDir;
}

/** Runs a bench's body with cleanup on every exit path; exit code 1 on error. */
export async function runBench(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await runCleanups();
  }
  // Keep-alive sockets or a stray timer must not keep a finished bench alive.
  process.exit(process.exitCode ?? 0);
}
