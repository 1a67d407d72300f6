import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import {
  buildAnsibleEnv,
  createPrivateDir,
  PLUGIN_FATAL_EXIT_CODE,
  resolveAnsiblePlaybook,
  AnsibleNotFoundError,
  EVENT_FD,
} from './ansible.ts';
import { createEventLineParser } from './events.ts';
import type { RunnerEvent, RunOutcome, RunSpec, RunStats } from './types.ts';
import { LogCollector } from './log.ts';
import { createMasker } from './mask.ts';
import { encodeExtraVars, VariablesError } from './vars.ts';
import { CREDENTIALS_VARIABLE, planCredentials } from './credentials.ts';
import { closeSshConnections, writeTarget } from './inventory.ts';
import { groupLaunch, LAUNCH_FAILED_EXIT_CODE, LAUNCH_FAILED_MESSAGE } from './priority.ts';
import { loadExeca } from './execa.ts';

const DEFAULT_GRACE_MS = 5000;
const DEFAULT_LOG_LIMIT = 1024 * 1024;

/** onEvent (or onSpawn) threw: the run was cancelled; the outcome is attached. */
export class EventHandlerError extends Error {
  override name = 'EventHandlerError';
  readonly outcome: RunOutcome;
  constructor(cause: unknown, outcome: RunOutcome) {
    super(`event handler failed, run cancelled: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.outcome = outcome;
  }
}

export type OutcomeClass = 'succeeded' | 'rolled_back' | 'failed' | 'cancelled';

/**
 * What a finished run means in Ansible terms. Exit 0 alone proves nothing
 * (callback errors are only warnings): success also needs the final stats,
 * a clean event stream and no failed or unreachable host.
 */
export function classifyOutcome(o: RunOutcome): OutcomeClass {
  if (o.cancelled) return 'cancelled';
  if (o.exitCode !== 0 || !o.statsReceived || o.stats === null || o.parseErrors > 0 || o.pluginFailed) return 'failed';
  const hosts = Object.values(o.stats.hosts);
  if (hosts.some((h) => h.failures > 0 || h.unreachable > 0)) return 'failed';
  return hosts.some((h) => h.rescued > 0) ? 'rolled_back' : 'succeeded';
}

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

function isPromiseLike(v: unknown): v is PromiseLike<void> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Run one playbook against localhost, or the target's inventory with the run's credentials, and
 * stream its events.
 * Resolves with the outcome whatever Ansible did; rejects only when the run
 * could not start (AnsibleNotFoundError, VariablesError) or a handler threw
 * (EventHandlerError). In every case the private temp dir is removed and no
 * process of the run's group survives a cancel.
 */
export async function runPlaybook(spec: RunSpec): Promise<RunOutcome> {
  const started = performance.now();
  // Checked before anything is created: the variables, the credentials (an SSH key's passphrase).
  encodeExtraVars(spec.variables);
  if (spec.variables[CREDENTIALS_VARIABLE] !== undefined) throw new VariablesError(`"${CREDENTIALS_VARIABLE}" is reserved for the run's credentials`);
  const credentials = planCredentials(spec.credentials ?? []);
  const masker = createMasker([...spec.secrets, ...credentials.secrets]);
  const bin = await resolveAnsiblePlaybook(spec.ansiblePlaybook);
  const graceMs = spec.graceMs ?? DEFAULT_GRACE_MS;
  const diff = spec.diff ?? spec.checkMode;

  if (spec.signal?.aborted) {
    return {
      exitCode: null,
      signal: null,
      stats: null,
      statsReceived: false,
      log: '',
      logTruncated: false,
      cancelled: true,
      durationMs: Math.round(performance.now() - started),
      eventCount: 0,
      parseErrors: 0,
      pluginFailed: false,
    };
  }

  const dir = await createPrivateDir();
  let pid: number | undefined;
  let cancelled = false;
  let exited = false;
  let graceTimer: NodeJS.Timeout | undefined;
  // Boxed so `handlerError !== null` is not narrowed away: it is set in callbacks.
  const handlerError: { error?: unknown; failed: boolean } = { failed: false };
  let stats: RunStats | null = null;
  let statsReceived = false;
  let eventCount = 0;
  let parseErrors = 0;
  const log = new LogCollector(spec.logLimitBytes ?? DEFAULT_LOG_LIMIT, masker);

  const stop = (): void => {
    if (pid === undefined || exited) return;
    killGroup(pid, 'SIGINT');
    graceTimer ??= setTimeout(() => {
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
    }, graceMs);
  };
  const onAbort = (): void => {
    if (exited) return;
    cancelled = true;
    stop();
  };
  const failHandler = (error: unknown): void => {
    if (!handlerError.failed) Object.assign(handlerError, { error, failed: true });
    stop();
  };

  try {
    const access = await credentials.write(dir);
    const variables = Object.keys(access.variables).length ? { ...spec.variables, [CREDENTIALS_VARIABLE]: access.variables } : spec.variables;
    const varsFile = await dir.write('vars.json', encodeExtraVars(variables));
    const env = buildAnsibleEnv(dir.path, spec.env);
    if (spec.eventLimitBytes !== undefined) env.PROVISIO_EVENT_MAX_BYTES = String(spec.eventLimitBytes);
    const args = [...(await writeTarget(dir, spec.target)), ...access.args, '-e', `@${varsFile}`];
    if (spec.checkMode) args.push('--check');
    if (diff) args.push('--diff');
    args.push('--', resolve(spec.playbookPath));

    const execa = await loadExeca();
    // A process group of its own (cancel reaches forks and module processes) in the server's session.
    const launch = await groupLaunch(bin, args, spec.nice ?? 0, spec.cpuGroupProcs);
    const subprocess = execa(launch?.file ?? bin, launch?.args ?? args, {
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
    pid = subprocess.pid;
    subprocess.nodeChildProcess.once('exit', () => {
      exited = true;
      // Reap stragglers (forked workers, module children) still in the group.
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
    });
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (spec.signal?.aborted) onAbort(); // aborted while we were preparing
    if (pid !== undefined && spec.onSpawn) {
      try {
        spec.onSpawn(pid);
      } catch (e) {
        failHandler(e);
      }
    }

    const collect = (stream: Readable | null | undefined): Promise<void> => {
      if (!stream) return Promise.resolve();
      const decoder = new StringDecoder('utf8');
      stream.on('data', (chunk: Buffer) => log.push(Buffer.from(decoder.write(chunk))));
      return new Promise((res) => {
        stream.once('close', () => {
          log.push(Buffer.from(decoder.end()));
          res();
        });
      });
    };

    let varsRemoved = false;
    const deliver = async (raw: RunnerEvent): Promise<void> => {
      // Extra vars are read before the first event: the file with request data can go now.
      if (!varsRemoved) {
        varsRemoved = true;
        await rm(varsFile, { force: true });
      }
      const event = masker.maskDeep(raw);
      if (event.type === 'parse_error') parseErrors += 1;
      else if (event.type === 'stats' && event.stats) {
        stats = event.stats;
        statsReceived = true;
      }
      if (handlerError.failed) return; // keep draining so Ansible is not blocked while it stops
      eventCount += 1;
      try {
        const r = spec.onEvent(event);
        if (isPromiseLike(r)) await r;
      } catch (e) {
        failHandler(e);
      }
    };

    const readEvents = async (): Promise<void> => {
      const stream = subprocess.stdio[EVENT_FD] as Readable | null | undefined;
      if (!stream) return;
      const parser = createEventLineParser({ redact: masker.mask });
      try {
        // for-await reads the next chunk only after the previous was handled:
        // the pipe fills and the plugin's blocking write holds Ansible back.
        for await (const chunk of stream) {
          for (const ev of parser.push(chunk as Buffer)) await deliver(ev);
        }
      } catch {
        // The stream broke (the process died mid-write); what was read is kept.
      }
      for (const ev of parser.end()) await deliver(ev);
    };

    const [result] = await Promise.all([subprocess, readEvents(), collect(subprocess.stdout), collect(subprocess.stderr)]);

    const spawnError = (result as { cause?: unknown }).cause;
    if (pid === undefined || (result.exitCode === undefined && result.signal === undefined)) {
      const code = (spawnError as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT') throw new AnsibleNotFoundError(bin);
      throw spawnError instanceof Error ? spawnError : new Error(`ansible-playbook could not be started: ${result.message ?? 'unknown error'}`);
    }

    const { text, truncated } = log.finish();
    const exitCode = result.exitCode ?? null;
    if (launch && exitCode === LAUNCH_FAILED_EXIT_CODE && eventCount === 0 && text.includes(LAUNCH_FAILED_MESSAGE)) throw new AnsibleNotFoundError(bin);
    const outcome: RunOutcome = {
      exitCode,
      signal: result.signal ?? null,
      stats,
      statsReceived,
      log: text,
      logTruncated: truncated,
      cancelled,
      durationMs: Math.round(performance.now() - started),
      eventCount,
      parseErrors,
      pluginFailed: exitCode === PLUGIN_FATAL_EXIT_CODE || /\[provisio_events\] FATAL/.test(text),
    };
    if (handlerError.failed) throw new EventHandlerError(handlerError.error, outcome);
    return outcome;
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
    spec.signal?.removeEventListener('abort', onAbort);
    // Nothing of the run may outlive it, even when we got here by an exception.
    if (pid !== undefined && !exited) killGroup(pid, 'SIGKILL');
    if (spec.target) await closeSshConnections(dir.path);
    await dir.dispose();
  }
}
