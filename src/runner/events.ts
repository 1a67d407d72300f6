import type { AnsibleEvent, ParseErrorEvent, RunnerEvent } from './types.ts';

/** Turns the event fd's byte stream into events, whatever the chunk boundaries. */
export interface EventLineParserOptions {
  /** Longest accepted line; longer ones become a parse_error. Default 4 MiB. */
  maxLineBytes?: number;
  /** Applied to a bad line before it is cut to a snippet (masking after the cut could miss a split secret). */
  redact?: (line: string) => string;
}

export interface EventLineParser {
  push(chunk: Uint8Array | string): RunnerEvent[];
  /** Call at end of stream: a last line without newline is still parsed. */
  end(): RunnerEvent[];
}

const NEWLINE = 0x0a;
const SNIPPET_CHARS = 1024;
// The plugin caps events at 64 KiB by default; anything far above is not ours.
const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;
// Room kept past the snippet so redaction sees secrets that straddle the cut.
const REDACT_MARGIN_CHARS = 64 * 1024;

const identity = (s: string): string => s;

function parseError(line: string, error: string, redact: (s: string) => string): ParseErrorEvent {
  const head = redact(line.length > SNIPPET_CHARS + REDACT_MARGIN_CHARS ? line.slice(0, SNIPPET_CHARS + REDACT_MARGIN_CHARS) : line);
  return { type: 'parse_error', line: head.length > SNIPPET_CHARS ? head.slice(0, SNIPPET_CHARS) : head, error };
}

/** Parse one line of the event stream; never throws. */
export function parseEventLine(line: string, redact: (s: string) => string = identity): RunnerEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    // V8's message quotes part of the input (maybe half a secret): keep only the position.
    const pos = /position (\d+)/.exec(e instanceof Error ? e.message : '')?.[1];
    return parseError(line, pos === undefined ? 'invalid JSON' : `invalid JSON at position ${pos}`, redact);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return parseError(line, 'event is not a JSON object', redact);
  }
  const rec = value as Record<string, unknown>;
  if (typeof rec.type !== 'string' || rec.type === 'parse_error') {
    return parseError(line, 'event has no valid "type"', redact);
  }
  if (typeof rec.seq !== 'number' || typeof rec.ts !== 'string') {
    return parseError(line, 'event has no "seq"/"ts"', redact);
  }
  // Shape beyond type/seq/ts is the plugin's contract; unknown types are passed on as is.
  return rec as unknown as AnsibleEvent;
}

export function createEventLineParser(options: EventLineParserOptions = {}): EventLineParser {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const redact = options.redact ?? identity;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Set while dropping the rest of an over-long line up to its newline.
  let overflow: { head: string; bytes: number } | null = null; // head: start of the line, for the snippet

  const lineFrom = (parts: Buffer[]): string => Buffer.concat(parts).toString('utf8');

  const finishLine = (out: RunnerEvent[], last: Buffer): void => {
    if (overflow !== null) {
      out.push(parseError(overflow.head, `line exceeds ${maxLineBytes} bytes (${overflow.bytes + last.length} bytes dropped)`, redact));
      overflow = null;
    } else {
      const line = pendingBytes === 0 ? last.toString('utf8') : lineFrom([...pending, last]);
      // Blank lines carry nothing; \r is tolerated.
      const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (trimmed.trim().length > 0) out.push(parseEventLine(trimmed, redact));
    }
    pending = [];
    pendingBytes = 0;
  };

  const keep = (part: Buffer): void => {
    if (part.length === 0) return;
    if (overflow !== null) {
      overflow.bytes += part.length;
      return;
    }
    pending.push(part);
    pendingBytes += part.length;
    if (pendingBytes > maxLineBytes) {
      const head = lineFrom(pending).slice(0, SNIPPET_CHARS + REDACT_MARGIN_CHARS);
      overflow = { head, bytes: pendingBytes };
      pending = [];
      pendingBytes = 0;
    }
  };

  return {
    push(chunk) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const out: RunnerEvent[] = [];
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(NEWLINE, start);
        if (nl === -1) break;
        finishLine(out, buf.subarray(start, nl));
        start = nl + 1;
      }
      // Copy: the caller may reuse the chunk's memory.
      if (start < buf.length) keep(Buffer.from(buf.subarray(start)));
      return out;
    },
    end() {
      const out: RunnerEvent[] = [];
      if (overflow !== null || pendingBytes > 0) finishLine(out, Buffer.alloc(0));
      return out;
    },
  };
}
