import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { ResultPromise } from 'execa';
import { buildAnsibleEnv, resolveAnsiblePlaybook, type PrivateDir } from './ansible.ts';
import { CREDENTIALS_VARIABLE, planCredentials, type CredentialPlan } from './credentials.ts';
import { loadExeca } from './execa.ts';
import { writeTarget } from './inventory.ts';
import { createMasker, type Masker } from './mask.ts';
import { groupLaunch } from './priority.ts';
import type { RunSpec } from './types.ts';
import { encodeExtraVars, VariablesError } from './vars.ts';

const DEFAULT_GRACE_MS = 5000;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
  // No such group: gone, or the launcher has not made it yet (it signals the process itself then).
  try {
    process.kill(pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/**
 * Stops a run's process group. A cancel (the spec's AbortSignal) or a handler that threw sends
 * SIGINT, SIGKILL follows after the grace time; what is left when the run ends is killed.
 */
export class RunControl {
  readonly #graceMs: number;
  readonly #signal: AbortSignal | undefined;
  #pid: number | undefined;
  #exited = false;
  #cancelled = false;
  #graceTimer: NodeJS.Timeout | undefined;
  #handlerFailure: { error: unknown } | undefined;

  constructor(spec: Pick<RunSpec, 'graceMs' | 'signal'>) {
    this.#graceMs = spec.graceMs ?? DEFAULT_GRACE_MS;
    this.#signal = spec.signal;
  }

  /** The process of ansible-playbook (the group's leader); undefined until launched or when it could not start. */
  get pid(): number | undefined {
    return this.#pid;
  }

  /** The run was cancelled through the AbortSignal. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  get handlerFailed(): boolean {
    return this.#handlerFailure !== undefined;
  }

  /** The first error a handler threw. */
  get handlerFailure(): { error: unknown } | undefined {
    return this.#handlerFailure;
  }

  stop(): void {
    const pid = this.#pid;
    if (pid === undefined || this.#exited) return;
    killGroup(pid, 'SIGINT');
    this.#graceTimer ??= setTimeout(() => {
      if (this.#pid !== undefined) killGroup(this.#pid, 'SIGKILL');
    }, this.#graceMs);
  }

  failHandler(error: unknown): void {
    this.#handlerFailure ??= { error };
    this.stop();
  }

  readonly #onAbort = (): void => {
    if (this.#exited) return;
    this.#cancelled = true;
    this.stop();
  };

  /** Takes charge of the process just launched; hands its pid to onSpawn. */
  started(subprocess: { readonly pid?: number | undefined; readonly nodeChildProcess: ChildProcess }, spec: Pick<RunSpec, 'onSpawn'>): void {
    const pid = subprocess.pid;
    this.#pid = pid;
    subprocess.nodeChildProcess.once('exit', () => {
      this.#exited = true;
      // Reap stragglers (forked workers, module children) still in the group.
      if (this.#pid !== undefined) killGroup(this.#pid, 'SIGKILL');
    });
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (this.#signal?.aborted) this.#onAbort(); // aborted while we were preparing
    if (pid !== undefined && spec.onSpawn) {
      try {
        spec.onSpawn(pid);
      } catch (e) {
        this.failHandler(e);
      }
    }
  }

  /** At the end of the run, however it ended. */
  release(): void {
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    // Nothing of the run may outlive it, even when we got here by an exception.
    if (this.#pid !== undefined && !this.#exited) killGroup(this.#pid, 'SIGKILL');
  }
}

/** What a run needs that can be checked before anything of it is created. */
export interface RunPlan {
  bin: string;
  credentials: CredentialPlan;
  /** Masks the spec's secrets and those of the credentials. */
  masker: Masker;
}

/** Throws VariablesError, CredentialError, AnsibleNotFoundError. */
export async function planRun(spec: RunSpec): Promise<RunPlan> {
  // Checked before anything is created: the variables, the credentials (an SSH key's passphrase).
  encodeExtraVars(spec.variables);
  if (spec.variables[CREDENTIALS_VARIABLE] !== undefined) throw new VariablesError(`"${CREDENTIALS_VARIABLE}" is reserved for the run's credentials`);
  const credentials = planCredentials(spec.credentials ?? []);
  const masker = createMasker([...spec.secrets, ...credentials.secrets]);
  const bin = await resolveAnsiblePlaybook(spec.ansiblePlaybook);
  return { bin, credentials, masker };
}

/** The command line and environment of ansible-playbook, and the files they point at. */
async function writeRunFiles(spec: RunSpec, credentials: CredentialPlan, dir: PrivateDir): Promise<{ args: string[]; env: Record<string, string>; varsFile: string }> {
  const access = await credentials.write(dir);
  const variables = Object.keys(access.variables).length ? { ...spec.variables, [CREDENTIALS_VARIABLE]: access.variables } : spec.variables;
  const varsFile = await dir.write('vars.json', encodeExtraVars(variables));
  const env = buildAnsibleEnv(dir.path, spec.env);
  if (spec.eventLimitBytes !== undefined) env.PROVISIO_EVENT_MAX_BYTES = String(spec.eventLimitBytes);
  const args = [...(await writeTarget(dir, spec.target)), ...access.args, '-e', `@${varsFile}`];
  if (spec.checkMode) args.push('--check');
  if (spec.diff ?? spec.checkMode) args.push('--diff');
  args.push('--', resolve(spec.playbookPath));
  return { args, env, varsFile };
}

export type RunSubprocess = ResultPromise<{
  stdio: ['ignore', 'pipe', 'pipe', 'pipe'];
  buffer: false;
  encoding: 'buffer';
  reject: false;
}>;

export interface Launched {
  subprocess: RunSubprocess;
  /** Started through the group launcher, not in a session of its own. */
  viaLauncher: boolean;
  /** The extra vars: request data, to be removed as soon as Ansible has read it. */
  varsFile: string;
}

/** Writes the run's files into its private dir and starts ansible-playbook under `control`. */
export async function launchPlaybook(spec: RunSpec, plan: RunPlan, dir: PrivateDir, control: RunControl): Promise<Launched> {
  const { args, env, varsFile } = await writeRunFiles(spec, plan.credentials, dir);
  const execa = await loadExeca();
  // A process group of its own (cancel reaches forks and module processes) in the server's session.
  const launch = await groupLaunch(plan.bin, args, spec.nice ?? 0, spec.cpuGroupProcs);
  const subprocess = execa(launch?.file ?? plan.bin, launch?.args ?? args, {
    env,
    extendEnv: false,
    cwd: dir.path, // relative writes of tasks land in the private dir and are removed
    detached: launch === undefined, // no launcher: a session of its own is the only way to a group
    cleanup: false,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    buffer: false,
    encoding: 'buffer',
    reject: false,
  });
  control.started(subprocess, spec);
  return { subprocess, viaLauncher: launch !== undefined, varsFile };
}
