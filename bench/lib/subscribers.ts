// runEvents subscribers for the benches: they record when each event arrived, and check that a
// subscriber got seq 1..lastSeq exactly once, in order.
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { benchAuthorization, runStatus, type RunStatus } from './gql.ts';

const RUN_EVENTS = /* GraphQL */ `
  subscription BenchRunEvents($runId: ID!, $afterSeq: Int) {
    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type createdAt data }
  }
`;

export type Transport = 'ws' | 'sse';

export interface Received {
  seq: number;
  /** Callback plugin's time (epoch ms, from data.ts). */
  ts: number;
  /** When the recorder took the event (RunEvent.createdAt, epoch ms). */
  createdAt: number;
  /** Epoch ms (sub-ms) when the client got it. */
  at: number;
}

export interface Subscriber {
  run: number;
  index: number;
  transport: Transport;
  early: boolean;
  openedAt: number;
  received: Received[];
  done: Promise<void>;
  error: string | undefined;
  completed: boolean;
}

export const now = (): number => performance.timeOrigin + performance.now();

export function subscribe(url: string, transport: Transport, runId: string, meta: { run: number; index: number; early: boolean }, onEvent: (seq: number) => void): Subscriber {
  const subscriber: Subscriber = { ...meta, transport, openedAt: now(), received: [], done: Promise.resolve(), error: undefined, completed: false };
  const payload = { query: RUN_EVENTS, variables: { runId, afterSeq: 0 } };
  subscriber.done = new Promise<void>((resolve) => {
    let dispose = (): void => {};
    const sink = {
      next: (message: { data?: unknown; errors?: unknown }) => {
        const at = now();
        if (message.errors) subscriber.error ??= JSON.stringify(message.errors);
        const event = (message.data as { runEvents?: { seq: number; createdAt: string; data: { ts?: string } | null } } | null | undefined)?.runEvents;
        if (!event) return;
        subscriber.received.push({ seq: event.seq, ts: event.data?.ts ? Date.parse(event.data.ts) : Number.NaN, createdAt: Date.parse(event.createdAt), at });
        onEvent(event.seq);
      },
      error: (error: unknown) => {
        subscriber.error ??= describeError(error);
        dispose();
        resolve();
      },
      complete: () => {
        subscriber.completed = true;
        dispose();
        resolve();
      },
    };
    if (transport === 'ws') {
      const client = createWsClient({ url: url.replace(/^http/, 'ws'), lazy: true, lazyCloseTimeout: 0, retryAttempts: 0, connectionParams: benchAuthorization });
      dispose = () => void client.dispose();
      client.subscribe(payload, sink);
    } else {
      const client = createSseClient({ url, retryAttempts: 0, headers: benchAuthorization });
      dispose = () => client.dispose();
      client.subscribe(payload, sink);
    }
  });
  return subscriber;
}

/** graphql-ws reports a CloseEvent (code, reason), graphql-sse an Error or a Response-like object. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object') {
    const { code, reason, type, status, message } = error as Record<string, unknown>;
    const parts = Object.entries({ type, code, reason, status, message }).filter(([, v]) => v !== undefined && v !== '');
    if (parts.length) return parts.map(([k, v]) => `${k}=${String(v)}`).join(' ');
  }
  return JSON.stringify(error);
}

export function check(subscriber: Subscriber, lastSeq: number): string | undefined {
  if (subscriber.error) return `error: ${subscriber.error}`;
  if (!subscriber.completed) return 'did not complete';
  const seqs = subscriber.received.map((r) => r.seq);
  if (seqs.length !== lastSeq) return `got ${seqs.length} events, run has ${lastSeq}`;
  for (let i = 0; i < seqs.length; i++) {
    if (seqs[i] !== i + 1) return `position ${i} has seq ${seqs[i]}, expected ${i + 1}`;
  }
  return undefined;
}

const RUN_UPDATED = /* GraphQL */ `
  subscription BenchRunUpdated($runId: ID!) {
    runUpdated(runId: $runId) { status terminal }
  }
`;

/** Resolves with performance.now() when runUpdated reports the run terminal (then the run). */
export function waitTerminalBySubscription(client: WsClient, url: string, runId: string): Promise<{ run: RunStatus; at: number }> {
  return new Promise((resolve, reject) => {
    let seenAt: number | undefined;
    const unsubscribe = client.subscribe(
      { query: RUN_UPDATED, variables: { runId } },
      {
        next: (message) => {
          if (message.errors) reject(new Error(JSON.stringify(message.errors)));
          const update = (message.data as { runUpdated?: { terminal: boolean } } | null | undefined)?.runUpdated;
          if (update?.terminal && seenAt === undefined) {
            seenAt = performance.now();
            unsubscribe();
            runStatus(url, runId).then((run) => resolve({ run, at: seenAt! }), reject);
          }
        },
        error: (error: unknown) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => {
          if (seenAt === undefined) reject(new Error(`runUpdated for ${runId} completed without a terminal update`));
        },
      },
    );
  });
}
