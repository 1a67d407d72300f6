import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/gql.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { query, wsClient } from './support/client.ts';
import { eventually } from './support/wait.ts';
import { expectContiguous, provision, RunQuery, streamEvents, waitForRun, type StartedRun } from './support/runs.ts';

let server: TestApp;
beforeAll(async () => {
  // One run at a time, so a second run waits QUEUED while the first one works.
  server = await startTestApp({ maxConcurrentRuns: 1 }, { demo: true });
});
afterAll(async () => {
  await server?.close();
});

const voip = (customerRef: string, delay: number) => ({
  productSlug: 'voip-line',
  customerRef,
  variables: { caller_id_name: customerRef, sip_password: 'stream-test-password', simulate_delay_seconds: delay },
});


describe('runEvents: every subscriber gets exactly the tail it asked for', () => {
  let slow: StartedRun;
  let waiting: StartedRun;

  it('joined before the run starts, mid-run, and after the end, over WebSocket and SSE', async () => {
    slow = await provision(server, voip('stream-slow', 3));
    waiting = await provision(server, voip('stream-waiting', 0));

    // Before start: the second run is still QUEUED behind the first.
    const { run: queued } = await query(server, RunQuery, { id: waiting.runId });
    expect(queued?.status).toBe('QUEUED');
    expect(queued?.queuePosition).toBe(1);
    const beforeStart = [streamEvents(server, 'ws', waiting.runId), streamEvents(server, 'sse', waiting.runId)];

    // Mid-run: the slow run has produced some events and is sleeping in a task.
    await eventually(async () => (await query(server, RunQuery, { id: slow.runId })).run?.lastSeq ?? 0, (lastSeq) => lastSeq >= 4, 'the slow run to emit events');
    const midRun = [streamEvents(server, 'ws', slow.runId), streamEvents(server, 'sse', slow.runId, 2)];
    const { run: stillRunning } = await query(server, RunQuery, { id: slow.runId });
    expect(stillRunning?.status).toBe('RUNNING');

    const [wsBefore, sseBefore] = await Promise.all(beforeStart);
    const [wsMid, sseMid] = await Promise.all(midRun);
    const slowRun = await waitForRun(server, slow.runId);
    const waitingRun = await waitForRun(server, waiting.runId);
    expect(slowRun.status).toBe('SUCCEEDED');
    expect(waitingRun.status).toBe('SUCCEEDED');

    expectContiguous(wsBefore!, 1, waitingRun.lastSeq);
    expectContiguous(sseBefore!, 1, waitingRun.lastSeq);
    expectContiguous(wsMid!, 1, slowRun.lastSeq);
    expectContiguous(sseMid!, 3, slowRun.lastSeq);
    expect(wsMid!.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'SUCCEEDED' } });

    // After the end: replay only, then completion.
    const [wsAfter, sseAfter, beyondEnd] = await Promise.all([
      streamEvents(server, 'ws', slow.runId),
      streamEvents(server, 'sse', slow.runId, 5),
      streamEvents(server, 'ws', slow.runId, slowRun.lastSeq),
    ]);
    expectContiguous(wsAfter!, 1, slowRun.lastSeq);
    expectContiguous(sseAfter!, 6, slowRun.lastSeq);
    expect(beyondEnd).toEqual([]);
    expect(wsAfter).toEqual(wsMid);
  });

  it('streams status and counters with runUpdated until the run finishes', async () => {
    const started = await provision(server, voip('stream-updates', 1));
    const client = wsClient(server);
    type Progress = { tasksStarted: number; tasksDone: number; currentTask: string | null; currentHost: string | null };
    const updates: Array<{ status: string; terminal: boolean; lastSeq: number; ok: number; progress: Progress }> = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        {
          query: print(
            graphql(`subscription RunUpdated($runId: ID!) {
              runUpdated(runId: $runId) { status terminal lastSeq run { counters { ok } progress { tasksStarted tasksDone currentTask currentHost } } }
            }`),
          ),
          variables: { runId: started.runId },
        },
        {
          next: (message) => {
            const update = (message.data as { runUpdated: { status: string; terminal: boolean; lastSeq: number; run: { counters: { ok: number }; progress: Progress } } }).runUpdated;
            updates.push({ status: update.status, terminal: update.terminal, lastSeq: update.lastSeq, ok: update.run.counters.ok, progress: update.run.progress });
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await client.dispose();
    expect(updates.at(-1)).toMatchObject({ status: 'SUCCEEDED', terminal: true });
    expect(updates.filter((update) => update.terminal)).toHaveLength(1);
    expect(updates.map((update) => update.status)).toContain('RUNNING');
    const lastSeqs = updates.map((update) => update.lastSeq);
    expect([...lastSeqs].sort((a, b) => a - b)).toEqual(lastSeqs);
    // Progress: live while running (a current task on localhost), all done at the end.
    expect(updates.some((update) => update.status === 'RUNNING' && update.progress.currentTask !== null && update.progress.currentHost === 'localhost')).toBe(true);
    const tasksStarted = updates.map((update) => update.progress.tasksStarted);
    expect([...tasksStarted].sort((a, b) => a - b)).toEqual(tasksStarted);
    const final = updates.at(-1)!.progress;
    expect(final).toMatchObject({ currentTask: null, currentHost: null });
    expect(final.tasksStarted).toBeGreaterThan(3);
    expect(final.tasksDone).toBe(final.tasksStarted);
  });

  it('rejects a subscription to an unknown run with a clear error', async () => {
    const unknown = Buffer.from('ProvisioningRun:00000000-0000-4000-8000-000000000000').toString('base64');
    await expect(streamEvents(server, 'ws', unknown)).rejects.toThrow(/ProvisioningRun .* was not found/);
  });
});
