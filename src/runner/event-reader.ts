import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { EVENT_FD } from './ansible.ts';
import { createEventLineParser } from './events.ts';
import { LogCollector } from './log.ts';
import type { Masker } from './mask.ts';
import type { RunnerEvent, RunSpec, RunStats } from './types.ts';

const DEFAULT_LOG_LIMIT = 1024 * 1024;

/** What the event stream said about the run. */
export interface EventTally {
  stats: RunStats | null;
  statsReceived: boolean;
  /** Events handed to onEvent (including parse errors). */
  eventCount: number;
  parseErrors: number;
}

/** Takes a handler's error: the run stops, and later events are no longer delivered. */
export interface HandlerGuard {
  readonly handlerFailed: boolean;
  failHandler(error: unknown): void;
}

/** The pipes of ansible-playbook: the event stream is on fd EVENT_FD. */
export interface RunPipes {
  readonly stdio: readonly unknown[];
  readonly stdout: Readable | null | undefined;
  readonly stderr: Readable | null | undefined;
}

export interface ReadContext {
  masker: Masker;
  /** Removed at the first event. */
  varsFile: string;
  guard: HandlerGuard;
}

export interface RunOutput {
  events: EventTally;
  /** stdout+stderr interleaved, secrets masked, capped. */
  log: { text: string; truncated: boolean };
}

/** Reads the run's events and its log until all of its pipes are closed. */
export async function readOutput(pipes: RunPipes, spec: Pick<RunSpec, 'onEvent' | 'logLimitBytes'>, context: ReadContext): Promise<RunOutput> {
  const log = new LogCollector(spec.logLimitBytes ?? DEFAULT_LOG_LIMIT, context.masker);
  const [events] = await Promise.all([
    readEvents(pipes.stdio[EVENT_FD] as Readable | null | undefined, spec, context),
    collectLog(pipes.stdout, log),
    collectLog(pipes.stderr, log),
  ]);
  return { events, log: log.finish() };
}

function collectLog(stream: Readable | null | undefined, log: LogCollector): Promise<void> {
  if (!stream) return Promise.resolve();
  const decoder = new StringDecoder('utf8');
  stream.on('data', (chunk: Buffer) => log.push(Buffer.from(decoder.write(chunk))));
  return new Promise((res) => {
    stream.once('close', () => {
      log.push(Buffer.from(decoder.end()));
      res();
    });
  });
}

async function readEvents(stream: Readable | null | undefined, spec: Pick<RunSpec, 'onEvent'>, context: ReadContext): Promise<EventTally> {
  const tally: EventTally = { stats: null, statsReceived: false, eventCount: 0, parseErrors: 0 };
  if (!stream) return tally;
  const deliver = deliverer(tally, spec, context);
  const parser = createEventLineParser({ redact: context.masker.mask });
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
  return tally;
}

function isPromiseLike(v: unknown): v is PromiseLike<void> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

/** Masks each event, counts it into `tally` and hands it to onEvent, awaiting a returned promise. */
function deliverer(tally: EventTally, spec: Pick<RunSpec, 'onEvent'>, { masker, varsFile, guard }: ReadContext): (raw: RunnerEvent) => Promise<void> {
  let varsRemoved = false;
  return async (raw) => {
    // Extra vars are read before the first event: the file with request data can go now.
    if (!varsRemoved) {
      varsRemoved = true;
      await rm(varsFile, { force: true });
    }
    const event = masker.maskDeep(raw);
    if (event.type === 'parse_error') tally.parseErrors += 1;
    else if (event.type === 'stats' && event.stats) {
      tally.stats = event.stats;
      tally.statsReceived = true;
    }
    if (guard.handlerFailed) return; // keep draining so Ansible is not blocked while it stops
    tally.eventCount += 1;
    try {
      const r = spec.onEvent(event);
      if (isPromiseLike(r)) await r;
    } catch (e) {
      guard.failHandler(e);
    }
  };
}
