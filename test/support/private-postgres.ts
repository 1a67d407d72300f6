import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A PostgreSQL server of a test's own (initdb in a temp dir, on a free port), so the test can stop,
 * kill and restart it without touching anybody else's database. The postmaster runs as a child of
 * the test process (not daemonised by pg_ctl): after a kill -9 the test reaps it, where a
 * daemonised one would stay a zombie whose pid still holds postmaster.pid.
 */

/** The directory holding initdb and postgres, or undefined when PostgreSQL is not installed here. */
export const postgresBinDir: string | undefined = findBinDir();

function findBinDir(): string | undefined {
  const candidates = [
    ...(process.env['PATH'] ?? '').split(path.delimiter),
    '/usr/local/bin',
    ...listDirs('/usr/lib/postgresql').sort().reverse().map((version) => `/usr/lib/postgresql/${version}/bin`),
  ];
  return candidates.find((dir) => dir && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres')));
}

function listDirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** initdb and postgres refuse to run as root: as root, they run as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((line) => line.startsWith('postgres:'));
  if (!entry) throw new Error('running as root and there is no postgres user to run PostgreSQL as');
  const [, , uid, gid] = entry.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Servers still running when the test process exits are killed (their backends follow the postmaster). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface PrivatePostgres {
  readonly port: number;
  /** A connection URL (user postgres, trust auth) for `database`. */
  url(database?: string): string;
  /** Starts the server (again, on the same data directory and port) and waits until it answers. */
  start(): Promise<void>;
  /** Fast shutdown (SIGINT: open transactions are rolled back, sessions closed), waiting for the exit. */
  stop(): Promise<void>;
  /** kill -9 of the postmaster: a crash; the next start replays the WAL. */
  kill(): Promise<void>;
  /** Stops the server if it runs and removes its directory. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!postgresBinDir) throw new Error('PostgreSQL binaries (initdb, postgres) not found');
  const binDir = postgresBinDir;
  const user = serverUser();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-private-pg-'));
  const dataDir = path.join(root, 'data');
  if (user) fs.chownSync(root, user.uid, user.gid);
  const port = await freePort();
  let server: ChildProcess | undefined;
  let log = '';

  const run = (command: string, args: string[]) => {
    const child = spawn(path.join(binDir, command), args, { stdio: ['ignore', 'pipe', 'pipe'], ...user });
    const append = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    return child;
  };
  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const initdb = run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const code = await new Promise<number | null>((resolve) => initdb.once('exit', resolve));
  if (code !== 0) throw new Error(`initdb failed (${code}):\n${log}`);

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;

  async function startOnce(): Promise<boolean> {
    // fsync off: only an operating-system crash could lose what it skips; a killed postmaster
    // still leaves its WAL in the page cache for the crash recovery to replay.
    const child = run('postgres', ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off']);
    running.add(child);
    void exited(child).then(() => running.delete(child));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      if (await answers(url())) {
        server = child;
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`PostgreSQL did not answer within 60 s:\n${log}`);
  }

  async function halt(signal: NodeJS.Signals): Promise<void> {
    const child = server;
    server = undefined;
    if (!child) return;
    child.kill(signal);
    await exited(child);
  }
  const handle: PrivatePostgres = {
    port,
    url,
    async start() {
      if (server) throw new Error('the private PostgreSQL is already running');
      // After a kill -9 the old backends notice their postmaster's death and exit on their own; until
      // then a new postmaster refuses the data directory (its shared memory is still in use).
      const deadline = Date.now() + 60_000;
      while (!(await startOnce())) {
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not start:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    // SIGINT: PostgreSQL's fast shutdown; SIGKILL: a crash, recovered from the WAL at the next start.
    stop: () => halt('SIGINT'),
    kill: () => halt('SIGKILL'),
    async destroy() {
      await handle.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await handle.start();
  } catch (error) {
    await handle.destroy();
    throw error;
  }
  return handle;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A TCP port nobody listens on at the moment, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
