import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/gql.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { authorization, query } from './support/client.ts';
import { CreateProductMutation, PoolsQuery } from './support/documents.ts';
import { eventually } from './support/wait.ts';
import { groupAlive } from './support/processes.ts';
import { allEvents, DeprovisionMutation, expectContiguous, provision, RunQuery, streamEvents, waitForRun } from './support/runs.ts';

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({ maxConcurrentRuns: 2, killGraceMs: 2000 }, { demo: true });
});
afterAll(async () => {
  await server?.close();
});

const CancelMutation = graphql(`
  mutation Cancel($id: ID!) {
    cancelRun(id: $id) {
      __typename
      ... on CancelRunSuccess { run { id status } }
      ... on InvalidStateError { currentState message }
    }
  }
`);

const RetryMutation = graphql(`
  mutation Retry($id: ID!) {
    retryRun(id: $id) {
      __typename
      ... on RetryRunSuccess { run { id status action retryOf { id } } }
      ... on InvalidStateError { currentState message }
    }
  }
`);

const CompensationQuery = graphql(`
  query Compensation($id: ID!) {
    run(id: $id) { status statusReason compensatedBy { id action status } }
  }
`);

const voip = (customerRef: string, variables: Record<string, unknown> = {}, productSlug = 'voip-line') => ({
  productSlug,
  customerRef,
  variables: { caller_id_name: customerRef, sip_password: 'control-test-password', ...variables },
});

const prisma = () => server.app.context.prisma;

/** A product on the voip-line playbooks with its own limits. */
async function createVoipVariant(slug: string, limits: { maxConcurrentRuns?: number; runTimeoutSeconds?: number }) {
  const result = await query(server, CreateProductMutation, {
    input: {
      slug,
      name: slug,
      provisionPlaybook: 'voip-line/provision.yml',
      deprovisionPlaybook: 'voip-line/deprovision.yml',
      variableSchema: {
        type: 'object',
        properties: { caller_id_name: { type: 'string' }, sip_password: { type: 'string', secret: true }, simulate_delay_seconds: { type: 'integer' } },
      },
      inventoryRequirements: [{ kind: 'PHONE_NUMBER', count: 1 }],
      ...limits,
    },
  });
  return result.createProduct.__typename;
}


/** The run's ansible-playbook pid once it is inside the long sleep task. */
async function waitForSleepingRun(runId: string): Promise<number> {
  await eventually(() => allEvents(server, runId), (events) => events.some((event) => event.type === 'task_start' && event.task === 'Simulate a slow network element'), 'the long task to start');
  const run = await eventually(() => prisma().provisioningRun.findUniqueOrThrow({ where: { id: runId.length === 36 ? runId : decode(runId) } }), (row) => row.pid !== null, 'the run pid');
  return run.pid!;
}

function decode(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString().split(':')[1]!;
}


async function compensationOf(runId: string) {
  const { run } = await query(server, CompensationQuery, { id: runId });
  expect(run?.compensatedBy).toHaveLength(1);
  return waitForRun(server, run!.compensatedBy[0]!.id);
}

describe('cancel', () => {
  it('a duplicate delivery of a running run does not take its cancel handle away', async () => {
    const started = await provision(server, voip('cancel-duplicate', { simulate_delay_seconds: 120 }));
    const pid = await waitForSleepingRun(started.runId);
    // The queue hands the run to the executor a second time (as a redelivery would).
    await server.app.context.queue.enqueue([decode(started.runId)]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await query(server, CancelMutation, { id: started.runId })).cancelRun.__typename).toBe('CancelRunSuccess');
    const run = await waitForRun(server, started.runId, 60_000);
    expect(run.status).toBe('CANCELED');
    await eventually(async () => groupAlive(pid), (alive) => !alive, 'the process group to exit', 10_000);
    const compensation = await compensationOf(started.runId);
    expect(compensation.status).toBe('SUCCEEDED');
  });

  it('stops a running provision, kills its process group, streams the end, and compensates', async () => {
    const before = await query(server, PoolsQuery);
    const started = await provision(server, voip('cancel-running', { simulate_delay_seconds: 120 }));
    const streamed = streamEvents(server, 'ws', started.runId);
    const pid = await waitForSleepingRun(started.runId);
    expect(groupAlive(pid)).toBe(true);

    const cancelled = await query(server, CancelMutation, { id: started.runId });
    expect(cancelled.cancelRun.__typename).toBe('CancelRunSuccess');
    const run = await waitForRun(server, started.runId, 60_000);
    expect(run.status).toBe('CANCELED');
    await eventually(async () => groupAlive(pid), (alive) => !alive, 'the process group to exit', 10_000);

    const events = await streamed;
    expectContiguous(events, 1, run.lastSeq);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'CANCELED' } });

    const compensation = await compensationOf(started.runId);
    expect(compensation).toMatchObject({ action: 'DEPROVISION', status: 'SUCCEEDED' });
    expect((await allEvents(server, compensation.id)).length).toBeGreaterThan(3);
    expect(compensation.service).toMatchObject({ status: 'FAILED', inventoryItems: [] });
    expect(compensation.service?.statusReason).toContain('compensating deprovision SUCCEEDED');
    expect(await query(server, PoolsQuery)).toEqual(before);

    const again = await query(server, CancelMutation, { id: started.runId });
    expect(again.cancelRun).toMatchObject({ __typename: 'InvalidStateError', currentState: 'CANCELED' });
  });

  it('cancels a queued run at once and releases its items; the run behind keeps its place', async () => {
    const limited = await createVoipVariant('one-at-a-time', { maxConcurrentRuns: 1 });
    expect(limited).toBe('CreateProductSuccess');
    const first = await provision(server, voip('limit-1', { simulate_delay_seconds: 120 }, 'one-at-a-time'));
    const second = await provision(server, voip('limit-2', {}, 'one-at-a-time'));
    const third = await provision(server, voip('limit-3', {}, 'one-at-a-time'));
    await waitForSleepingRun(first.runId);

    // The product's limit holds the others back although the global limit has room.
    const { run: waiting } = await query(server, RunQuery, { id: third.runId });
    expect(waiting).toMatchObject({ status: 'QUEUED', queuePosition: 2 });

    const cancelled = await query(server, CancelMutation, { id: second.runId });
    expect(cancelled.cancelRun).toMatchObject({ __typename: 'CancelRunSuccess', run: { status: 'CANCELED' } });
    const run = await waitForRun(server, second.runId);
    expect(run.service).toMatchObject({ status: 'FAILED', inventoryItems: [] });
    expect(run.statusReason).toBe('cancelled before it started');
    const { run: movedUp } = await query(server, RunQuery, { id: third.runId });
    expect(movedUp).toMatchObject({ status: 'QUEUED', queuePosition: 1 });

    await query(server, CancelMutation, { id: first.runId });
    expect((await waitForRun(server, third.runId)).status).toBe('SUCCEEDED');
  });
});

describe('timeouts', () => {
  it('stops a run past its product timeout as TIMED_OUT and compensates', async () => {
    // The compensating deprovision gets at least the server default, however tight this is.
    const created = await createVoipVariant('quick-line', { runTimeoutSeconds: 10 });
    expect(created).toBe('CreateProductSuccess');
    const started = await provision(server, voip('timeout', { simulate_delay_seconds: 120 }, 'quick-line'));
    const run = await waitForRun(server, started.runId);
    expect(run.status).toBe('TIMED_OUT');
    expect(run.statusReason).toContain('10 s');
    const compensation = await compensationOf(started.runId);
    expect(compensation.status).toBe('SUCCEEDED');
    expect(compensation.service?.status).toBe('FAILED');
  });
});

describe('retry', () => {
  it('retries a failed deprovision of a service that needs attention', async () => {
    const started = await provision(server, voip('retry', { simulate_failure_at: 'remove_sip_registrar', simulate_rescue_failure: true }));
    expect((await waitForRun(server, started.runId)).status).toBe('SUCCEEDED');
    const depro = await query(server, DeprovisionMutation, { id: started.serviceId! });
    if (depro.deprovisionService.__typename !== 'DeprovisionServiceSuccess') throw new Error(JSON.stringify(depro));
    const failed = await waitForRun(server, depro.deprovisionService.started.run.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.service).toMatchObject({ status: 'NEEDS_ATTENTION' });
    expect(failed.service?.inventoryItems.map((item) => item.status)).toEqual(['IN_USE']);

    const notLatest = await query(server, RetryMutation, { id: started.runId });
    expect(notLatest.retryRun).toMatchObject({ __typename: 'InvalidStateError' });

    const retried = await query(server, RetryMutation, { id: failed.id });
    if (retried.retryRun.__typename !== 'RetryRunSuccess') throw new Error(JSON.stringify(retried));
    expect(retried.retryRun.run).toMatchObject({ action: 'DEPROVISION', retryOf: { id: failed.id } });
    // The demo fault is still configured, so the retry fails the same way: the mechanism is what is tested.
    const second = await waitForRun(server, retried.retryRun.run.id);
    expect(second.status).toBe('FAILED');
    expect(second.service?.status).toBe('NEEDS_ATTENTION');
  });
});

describe('retention', () => {
  it('prunes events and logs of finished runs but keeps their summary; a replay of a pruned run completes empty', async () => {
    const started = await provision(server, voip('retention'));
    const finished = await waitForRun(server, started.runId);
    expect(finished.lastSeq).toBeGreaterThan(0);
    const prune = graphql(`mutation Prune($days: Float!) { pruneRunHistory(olderThanDays: $days) { __typename ... on PruneRunHistorySuccess { pruned { runs events } } ... on ValidationError { issues { path } } } }`);
    const result = await query(server, prune, { days: 0 });
    if (result.pruneRunHistory.__typename !== 'PruneRunHistorySuccess') throw new Error(JSON.stringify(result));
    expect(result.pruneRunHistory.pruned.runs).toBeGreaterThan(0);
    expect(result.pruneRunHistory.pruned.events).toBeGreaterThan(0);
    const { run } = await query(server, RunQuery, { id: started.runId });
    expect(run).toMatchObject({ status: 'SUCCEEDED', log: '', lastSeq: finished.lastSeq, counters: finished.counters });
    expect(await allEvents(server, started.runId)).toEqual([]);
    expect(await streamEvents(server, 'sse', started.runId)).toEqual([]);
    expect((await query(server, prune, { days: -1 })).pruneRunHistory.__typename).toBe('ValidationError');
  });
});

describe('request limits', () => {
  it('refuses oversized variables and bodies with clear errors', async () => {
    const big = await query(server, graphql(`mutation Big($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ValidationError { issues { path message } } } }`), {
      input: { productSlug: 'voip-line', customerRef: 'big', variables: { caller_id_name: 'x'.repeat(70_000) } },
    });
    expect(big.provisionService).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'variables', message: expect.stringContaining('at most 65536') }] });
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...authorization(server) }, body: JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(17 * 1024 * 1024) }) });
    expect(response.status).toBe(413);
  });
});
