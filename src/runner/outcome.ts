import { performance } from 'node:perf_hooks';
import { AnsibleNotFoundError, PLUGIN_FATAL_EXIT_CODE } from './ansible.ts';
import type { RunOutput } from './event-reader.ts';
import { LAUNCH_FAILED_EXIT_CODE, LAUNCH_FAILED_MESSAGE } from './priority.ts';
import type { RunOutcome } from './types.ts';

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

/** The outcome of a run cancelled before anything of it was created. */
export function notStartedOutcome(started: number): RunOutcome {
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

/** How ansible-playbook ended, as execa reports it (reject: false, so a spawn error is a result too). */
export interface ProcessResult {
  exitCode?: number | undefined;
  signal?: string | undefined;
  message?: string | undefined;
  cause?: unknown;
}

/** A launched run once all of its pipes are closed. */
export interface RunEnd {
  result: ProcessResult;
  output: RunOutput;
  /** Of the launched process: undefined when it could not be spawned. */
  pid: number | undefined;
  bin: string;
  viaLauncher: boolean;
  cancelled: boolean;
  handlerFailure: { error: unknown } | undefined;
  /** performance.now() when the run was asked for. */
  started: number;
}

/**
 * The outcome of a launched run. Throws when ansible-playbook never ran (AnsibleNotFoundError or
 * the spawn error), and EventHandlerError with the outcome when a handler threw.
 */
export function runOutcome(end: RunEnd): RunOutcome {
  throwIfNotStarted(end);
  const { result, output } = end;
  const { text, truncated } = output.log;
  const exitCode = result.exitCode ?? null;
  // The launcher ran but could not exec ansible-playbook (it went away since it was resolved).
  if (end.viaLauncher && exitCode === LAUNCH_FAILED_EXIT_CODE && output.events.eventCount === 0 && text.includes(LAUNCH_FAILED_MESSAGE)) throw new AnsibleNotFoundError(end.bin);
  const outcome: RunOutcome = {
    exitCode,
    signal: result.signal ?? null,
    stats: output.events.stats,
    statsReceived: output.events.statsReceived,
    log: text,
    logTruncated: truncated,
    cancelled: end.cancelled,
    durationMs: Math.round(performance.now() - end.started),
    eventCount: output.events.eventCount,
    parseErrors: output.events.parseErrors,
    pluginFailed: exitCode === PLUGIN_FATAL_EXIT_CODE || /\[provisio_events\] FATAL/.test(text),
  };
  if (end.handlerFailure) throw new EventHandlerError(end.handlerFailure.error, outcome);
  return outcome;
}

function throwIfNotStarted({ result, pid, bin }: RunEnd): void {
  if (pid !== undefined && (result.exitCode !== undefined || result.signal !== undefined)) return;
  const spawnError = result.cause;
  const code = (spawnError as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') throw new AnsibleNotFoundError(bin);
  throw spawnError instanceof Error ? spawnError : new Error(`ansible-playbook could not be started: ${result.message ?? 'unknown error'}`);
}
