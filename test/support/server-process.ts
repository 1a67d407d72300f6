import { execa, type ResultPromise } from 'execa';
import path from 'node:path';
import { newAdminKey, repoRoot } from './app.ts';
import type { Endpoint } from './client.ts';

import { PGLITE_NODE_FLAGS } from '../../src/infra/db/pglite/options.ts';
export interface ServerProcess extends Endpoint {
  process: ResultPromise<{ env: Record<string, string>; reject: false; all: true; forceKillAfterDelay: false }>;
  url: string;
  /** What it printed so far (stdout and stderr). */
  output(): string;
}

/** Children a failed test did not stop: killed when the test file's process exits, so none outlives the run. */
const children = new Set<{ kill(signal: NodeJS.Signals): boolean }>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track<T extends { kill(signal: NodeJS.Signals): boolean; then: Promise<unknown>['then'] }>(child: T): T {
  children.add(child);
  void child.then(() => children.delete(child), () => children.delete(child));
  return child;
}

/** Runs `node src/main.ts` as `npm start` does and waits for its "listening" log line. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const key = env['PROVISIO_ADMIN_KEY'] ?? newAdminKey();
  const child = track(execa(process.execPath, [...PGLITE_NODE_FLAGS, path.join(repoRoot, 'src/main.ts')], {
    cwd: repoRoot,
    env: { PORT: '0', LOG_LEVEL: 'info', PROVISIO_ADMIN_KEY: key, PROVISIO_LAB: 'off', ...env },
    reject: false,
    all: true,
    // The tests send SIGTERM to check the graceful drain: execa must not SIGKILL after 5 s.
    forceKillAfterDelay: false,
  }));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.all.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:[^"]+)"/.exec(output);
      if (match) resolve(match[1]!);
    });
    void child.then((result) => reject(new Error(`server exited (${result.exitCode}) before listening:\n${result.all}`)));
  });
  return { process: child, url, key, output: () => output };
}

export interface WorkerProcess {
  process: ResultPromise<{ env: Record<string, string>; reject: false; all: true; forceKillAfterDelay: false }>;
  output(): string;
}

/** Runs `node src/worker.ts` as `npm run worker` does and waits until it takes runs. */
export async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = track(execa(process.execPath, [path.join(repoRoot, 'src/worker.ts')], {
    cwd: repoRoot,
    env: { LOG_LEVEL: 'info', ...env },
    reject: false,
    all: true,
    forceKillAfterDelay: false,
  }));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.all.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Provisio worker running')) resolve();
    });
    void child.then((result) => reject(new Error(`worker exited (${result.exitCode}) before running:\n${result.all}`)));
  });
  return { process: child, output: () => output };
}
