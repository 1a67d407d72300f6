// The real server as a child process (`node src/main.ts`, as `npm start` runs it).
import { spawn, type ChildProcess } from 'node:child_process';
import { PGLITE_NODE_FLAGS } from '../../src/infra/db/pglite/options.ts';
import { DEFAULT_COMPILE_CACHE_DIR } from '../../src/boot/compile-cache.ts';
import { readFile, writeFile } from 'node:fs/promises';
import path, { join } from 'node:path';
import { locateCpuController } from '../../src/runner/cpu-group.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './paths.ts';
import { onCleanup } from './cleanup.ts';
import { BENCH_ADMIN_KEY } from './gql.ts';

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** .../graphql */
  url: string;
  /** performance.now() when spawn() was called. */
  spawnedAt: number;
  /** performance.now() when the log line with the URL arrived. */
  listeningAt: number;
  /** Date.now() when spawn() was called, to compare with the log lines' `time`. */
  spawnedAtEpoch: number;
  /** startupMs as logged by the app (database open + migrations + listen). */
  loggedStartupMs: number | undefined;
  /** The first JSON log lines (time in epoch ms, msg), up to the listening line. */
  startupLog: Array<{ time: number; msg: string }>;
  /** Last 64 KiB of stdout+stderr, for diagnostics. */
  output(): string;
  /** SIGTERM, wait for exit (SIGKILL after timeoutMs). Resolves with the exit code or signal. */
  stop(timeoutMs?: number): Promise<string>;
}

const KEEP_OUTPUT = 64 * 1024;

/** `nice`: run the server at this niceness (`nice -n`, which execs: the pid stays the server's; below 0 needs root). */
export async function spawnServer(env: Record<string, string>, options: { timeoutMs?: number; nice?: number; nodeArgs?: string[] } = {}): Promise<ServerProcess> {
  const spawnedAt = performance.now();
  const spawnedAtEpoch = Date.now();
  const node = [process.execPath, ...PGLITE_NODE_FLAGS, ...(options.nodeArgs ?? []), path.join(repoRoot, 'src/main.ts')];
  const [command, args] = options.nice ? ['nice', ['-n', String(options.nice), ...node]] : [node[0]!, node.slice(1)];
  const child = spawn(command, args, {
    cwd: repoRoot,
    // As `npm start` runs it: its flags and its compile cache.
    env: { NODE_COMPILE_CACHE: DEFAULT_COMPILE_CACHE_DIR, ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', PROVISIO_ADMIN_KEY: BENCH_ADMIN_KEY, PROVISIO_LAB: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the server');
  let output = '';
  let exited: string | undefined;
  const exit = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = signal ?? `exit ${code}`;
      resolve(exited);
    });
  });
  const stop = async (timeoutMs = 15_000): Promise<string> => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(timer);
    }
    return exited ?? 'unknown';
  };
  onCleanup(() => stop(5_000).then(() => undefined));

  let loggedStartupMs: number | undefined;
  const startupLog: Array<{ time: number; msg: string }> = [];
  let listeningSeen = false;
  const listening = new Promise<{ url: string; at: number }>((resolve, reject) => {
    let pendingLine = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output = (output + text).slice(-KEEP_OUTPUT);
      pendingLine += text;
      const lines = pendingLine.split('\n');
      pendingLine = lines.pop() ?? '';
      for (const line of lines) {
        if (listeningSeen || !line.startsWith('{')) continue;
        try {
          const record = JSON.parse(line) as { url?: unknown; startupMs?: unknown; time?: unknown; msg?: unknown };
          if (typeof record.time === 'number') startupLog.push({ time: record.time, msg: String(record.msg) });
          if (typeof record.url === 'string') {
            listeningSeen = true;
            if (typeof record.startupMs === 'number') loggedStartupMs = record.startupMs;
            resolve({ url: record.url, at: performance.now() });
          }
        } catch {
          // not a JSON log line
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-KEEP_OUTPUT);
    });
    void exit.then((how) => reject(new Error(`server exited (${how}) before listening:\n${output}`)));
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const { url, at } = await Promise.race([
      listening,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`server not listening after ${timeoutMs} ms:\n${output}`)), timeoutMs);
      }),
    ]);
    return { child, pid, url, spawnedAt, spawnedAtEpoch, listeningAt: at, loggedStartupMs, startupLog, output: () => output, stop };
  } catch (error) {
    await stop(5_000);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls GET /readyz until it answers 200; resolves with performance.now() of that answer. */
export async function waitReady(graphqlUrl: string, timeoutMs = 60_000): Promise<number> {
  const readyz = graphqlUrl.replace(/\/graphql$/, '/readyz');
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(readyz);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now();
    } catch {
      // not accepting connections yet
    }
    if (performance.now() > deadline) throw new Error(`${readyz} not 200 after ${timeoutMs} ms`);
    await sleep(2);
  }
}

/**
 * Moves this bench process into the server's CPU group, where the server made one: the bench's
 * clients stand for remote machines, and on a shared host they must not queue behind the
 * server's playbooks, or a bench of the API measures its own clients' wait for a CPU.
 * Returns the group joined, or undefined (the server shares its autogroup with the bench anyway).
 */
export async function joinServerCpuGroup(serverPid: number): Promise<string | undefined> {
  const located = locateCpuController(await readFile(`/proc/${serverPid}/cgroup`, 'utf8'), await readFile('/proc/self/mountinfo', 'utf8'));
  if ('reason' in located || !/provisio-server-\d+$/.test(located.dir)) return undefined;
  await writeFile(join(located.dir, 'cgroup.procs'), String(process.pid));
  return located.dir;
}
