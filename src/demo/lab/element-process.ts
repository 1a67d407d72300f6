import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../logger.ts';

/** How long an element may take to answer its readiness probe after it was started. */
const READY_TIMEOUT_MS = 20_000;
const READY_POLL_MS = 100;
/** After SIGTERM, how long an element has to exit before SIGKILL. */
const STOP_GRACE_MS = 5_000;

export interface ElementProcessSpec {
  /** The element's name in logs and errors, e.g. "freeradius". */
  name: string;
  command: string;
  args: string[];
  /** The element's own directory: its working directory, with its output in `<dir>/output.log`. */
  dir: string;
  env?: Record<string, string>;
  /**
   * For a daemon that forks workers (Kamailio): started in a process group of its own. SIGTERM
   * still goes to the main process alone (it stops its workers), but SIGKILL goes to the whole
   * group, as a killed main process leaves its workers behind.
   */
  processGroup?: boolean;
  /** Answers true once the element serves requests (a protocol probe, not only an open port). */
  ready(): Promise<boolean>;
}

const SETPRIV = '/usr/bin/setpriv';

/** Signals the element, or its whole process group; one already gone is no error. */
function killElement(child: ChildProcess, signal: NodeJS.Signals, group: boolean): void {
  if (!group || child.pid === undefined) {
    child.kill(signal);
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** A network element of the lab, running as a child of this process. */
export interface ElementProcess {
  readonly name: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts an element in the foreground (so that it dies with its supervisor's stop, never
 * daemonised) and waits until its readiness probe answers. Its output goes to a log file in its
 * directory, not to the server's log: the operator reads it when an element misbehaves.
 */
export async function startElementProcess(spec: ElementProcessSpec, logger: Logger): Promise<ElementProcess> {
  const output = fs.openSync(`${spec.dir}/output.log`, 'a', 0o600);
  let child: ChildProcess;
  try {
    // Every element runs under `setpriv --pdeathsig SIGTERM`: when the server dies without a stop
    // (kill -9, a crash), its elements stop too instead of holding their ports against the next start.
    child = spawn(SETPRIV, ['--pdeathsig', 'SIGTERM', '--', spec.command, ...spec.args], { cwd: spec.dir, env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...spec.env }, stdio: ['ignore', output, output], detached: spec.processGroup === true });
  } finally {
    fs.closeSync(output);
  }
  const kill = (signal: NodeJS.Signals) => killElement(child, signal, spec.processGroup === true);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failed = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const early = await Promise.race([exited.then((code) => new Error(`exited with ${code}`)), failed, sleep(READY_POLL_MS).then(() => undefined)]);
    if (early) {
      kill('SIGKILL'); // the workers of a main process that gave up
      throw new Error(`lab element ${spec.name} did not start (${early.message}): see ${spec.dir}/output.log`);
    }
    if (await spec.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      kill('SIGKILL');
      throw new Error(`lab element ${spec.name} did not answer within ${READY_TIMEOUT_MS / 1000} s: see ${spec.dir}/output.log`);
    }
  }
  let stopping = false;
  void exited.then((code) => {
    if (!stopping) logger.error({ element: spec.name, code }, `lab element ${spec.name} stopped on its own: see ${spec.dir}/output.log`);
  });
  return {
    name: spec.name,
    pid: child.pid!,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      // Workers a main process that crashed or was killed left behind.
      if (spec.processGroup) kill('SIGKILL');
    },
  };
}
