import { print } from 'graphql';
import { graphql } from '../gql/gql.ts';
import type { ProvisionServiceInput } from '../gql/graphql.ts';
import { query, sseClient, wsClient, type Endpoint } from './client.ts';

export const ProvisionMutation = graphql(`
  mutation Provision($input: ProvisionServiceInput!) {
    provisionService(input: $input) {
      __typename
      ... on ProvisionServiceSuccess {
        started {
          service { id status customerRef }
          run { id status action checkMode }
        }
      }
      ... on Error { message }
      ... on ValidationError { issues { path message } }
      ... on InsufficientInventoryError { kind requested available }
    }
  }
`);

export const DeprovisionMutation = graphql(`
  mutation Deprovision($id: ID!, $checkMode: Boolean) {
    deprovisionService(id: $id, checkMode: $checkMode) {
      __typename
      ... on DeprovisionServiceSuccess { started { service { id status } run { id status action checkMode } } }
      ... on Error { message }
    }
  }
`);

export const RunQuery = graphql(`
  query Run($id: ID!) {
    run(id: $id) {
      id
      status
      statusReason
      action
      checkMode
      exitCode
      lastSeq
      log
      queuePosition
      counters { ok changed failed skipped rescued unreachable }
      service {
        id
        status
        statusReason
        variables
        outputs
        inventoryItems { id kind identifier status }
      }
    }
  }
`);

export const RunEventsQuery = graphql(`
  query RunEventsPage($id: ID!, $first: Int, $after: String) {
    run(id: $id) {
      events(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { seq type task host section changed data }
      }
    }
  }
`);

export const RunEventsSubscription = graphql(`
  subscription RunEvents($runId: ID!, $afterSeq: Int) {
    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type task section changed data }
  }
`);

export type StartedRun = { serviceId: string | null; runId: string };

export async function provision(endpoint: Endpoint, input: ProvisionServiceInput): Promise<StartedRun> {
  const result = await query(endpoint, ProvisionMutation, { input });
  if (result.provisionService.__typename !== 'ProvisionServiceSuccess') throw new Error(`provision failed: ${JSON.stringify(result.provisionService)}`);
  const { service, run } = result.provisionService.started;
  return { serviceId: service?.id ?? null, runId: run.id };
}

const TERMINAL = new Set(['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'CANCELED', 'TIMED_OUT', 'INTERRUPTED', 'EXPIRED']);

/** Polls the run until it has finished. */
export async function waitForRun(endpoint: Endpoint, runId: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { run } = await query(endpoint, RunQuery, { id: runId });
    if (run && TERMINAL.has(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every stored event of a run, page by page (a page holds at most 100). */
export async function allEvents(endpoint: Endpoint, runId: string) {
  const events = [];
  let after: string | null | undefined;
  for (;;) {
    const data = await query(endpoint, RunEventsQuery, { id: runId, first: 100, after });
    const page = data.run?.events;
    if (!page) return events;
    events.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return events;
    after = page.pageInfo.endCursor;
  }
}

export interface StreamedEvent {
  seq: number;
  type: string;
  task?: string | null;
  section?: string | null;
  changed?: boolean | null;
  data?: unknown;
}

/** Subscribes to runEvents over graphql-ws or SSE and resolves with every event once the subscription completes. */
export function streamEvents(endpoint: Endpoint, transport: 'ws' | 'sse', runId: string, afterSeq = 0): Promise<StreamedEvent[]> {
  const events: StreamedEvent[] = [];
  const payload = { query: print(RunEventsSubscription), variables: { runId, afterSeq } };
  return new Promise((resolve, reject) => {
    const sink = {
      next: (message: { data?: unknown; errors?: unknown }) => {
        if (message.errors) reject(new Error(JSON.stringify(message.errors)));
        const event = (message.data as { runEvents?: StreamedEvent } | null | undefined)?.runEvents;
        if (event) events.push(event);
      },
      error: (error: unknown) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
      complete: () => resolve(events),
    };
    if (transport === 'ws') {
      const client = wsClient(endpoint, { lazyCloseTimeout: 0 });
      client.subscribe(payload, { ...sink, complete: () => { void client.dispose(); sink.complete(); } });
    } else {
      const client = sseClient(endpoint);
      client.subscribe(payload, { ...sink, complete: () => { client.dispose(); sink.complete(); } });
    }
  });
}

/** seq numbers must be exactly from..to, in order, with no gap or duplicate. */
export function expectContiguous(events: Array<{ seq: number }>, from: number, to: number): void {
  const seqs = events.map((event) => event.seq);
  const expected = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  if (JSON.stringify(seqs) !== JSON.stringify(expected)) {
    throw new Error(`events not contiguous: expected ${from}..${to}, got [${seqs.join(',')}]`);
  }
}
