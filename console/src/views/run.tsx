import { useEffect, useRef, useState } from 'preact/hooks';
import { outcome, request, subscribe } from '../api.ts';
import { graphql } from '../gql/index.ts';
import type { ConsoleRunEventsSubscription } from '../gql/graphql.ts';
import { useCanAct } from '../role.ts';
import { href } from '../router.ts';
import { ErrorLine, Status, when } from '../ui.tsx';
import { VirtualList } from '../virtual-list.tsx';

const RunQuery = graphql(`
  query ConsoleRun($id: ID!) {
    run(id: $id) {
      id action status statusReason checkMode playbook queuePosition notBefore notAfter queuedAt startedAt finishedAt lastSeq
      product { slug name }
      service { id customerRef status }
      counters { ok changed failed skipped rescued unreachable }
      progress { tasksStarted tasksDone currentTask currentHost }
      compensatesRun { id status }
      compensatedBy { id status }
      retryOf { id status }
    }
  }
`);

const RunLogQuery = graphql(`
  query ConsoleRunLog($id: ID!) {
    run(id: $id) { id log }
  }
`);

const RunUpdatedSubscription = graphql(`
  subscription ConsoleRunUpdated($runId: ID!) {
    runUpdated(runId: $runId) { status lastSeq terminal }
  }
`);

const RunEventsSubscription = graphql(`
  subscription ConsoleRunEvents($runId: ID!, $afterSeq: Int) {
    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type task host section changed createdAt data }
  }
`);

const CancelRunMutation = graphql(`
  mutation ConsoleCancelRun($id: ID!) {
    cancelRun(id: $id) { __typename ... on CancelRunSuccess { run { id status } } ... on Error { message } }
  }
`);

const RetryRunMutation = graphql(`
  mutation ConsoleRetryRun($id: ID!) {
    retryRun(id: $id) { __typename ... on RetryRunSuccess { run { id } } ... on Error { message } }
  }
`);

type RunEvent = ConsoleRunEventsSubscription['runEvents'];

const ACTIVE = new Set(['SCHEDULED', 'QUEUED', 'RUNNING']);
const RETRYABLE = new Set(['FAILED', 'TIMED_OUT', 'CANCELED', 'INTERRUPTED']);

/**
 * Every event of the run, stored then live, each once and in order. The stream resumes after
 * the last seq it holds whenever the connection drops, so a reconnect leaves no gap and no
 * duplicate.
 */
function useRunEvents(runId: string): { events: RunEvent[]; error: string | null } {
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const held = useRef<RunEvent[]>([]);
  useEffect(() => {
    held.current = [];
    setEvents([]);
    let unsubscribe = () => {};
    let stopped = false;
    let flush: number | undefined;
    const start = () => {
      unsubscribe = subscribe(
        RunEventsSubscription,
        { runId, afterSeq: held.current.at(-1)?.seq ?? 0 },
        ({ runEvents: event }) => {
          const last = held.current.at(-1)?.seq ?? 0;
          if (event.seq <= last) return;
          if (event.seq !== last + 1) {
            // Not the next one: start again after the last one held.
            unsubscribe();
            start();
            return;
          }
          held.current.push(event);
          // One render per frame, however fast events come.
          flush ??= requestAnimationFrame(() => {
            flush = undefined;
            setEvents([...held.current]);
          });
        },
        (caught) => {
          setError(caught.message);
          if (!stopped) setTimeout(start, 1000);
        },
      );
    };
    start();
    return () => {
      stopped = true;
      unsubscribe();
      if (flush !== undefined) cancelAnimationFrame(flush);
    };
  }, [runId]);
  return { events, error };
}

function resultClass(event: RunEvent): string {
  if (event.section === 'rescue' && event.type.startsWith('runner_')) return 'rescued';
  switch (event.type) {
    case 'runner_ok':
    case 'runner_item_ok':
      return event.changed ? 'changed' : 'ok';
    case 'runner_failed':
    case 'runner_item_failed':
      return (event.data as { ignoreErrors?: boolean }).ignoreErrors ? 'ignored' : 'failed';
    case 'runner_unreachable':
      return 'failed';
    case 'runner_skipped':
    case 'runner_item_skipped':
      return 'skipped';
    case 'runner_start':
      return 'started';
    case 'play_start':
      return 'play';
    case 'task_start':
    case 'handler_task_start':
      return 'task';
    default:
      return 'other';
  }
}

function message(event: RunEvent): string {
  const data = event.data as { result?: { msg?: unknown }; play?: unknown; message?: unknown; status?: unknown; reason?: unknown; diff?: Array<Record<string, unknown>> };
  if (event.type === 'run_finished') return `${String(data.status)}${data.reason ? `: ${String(data.reason)}` : ''}`;
  // A check-mode preview's point: what would change.
  if (event.type === 'diff') return (data.diff ?? []).map((entry) => `${String(entry.after_header ?? entry.before_header ?? '')} ${String(entry.prepared ?? entry.after ?? '')}`.trim()).join(' | ');
  const text = data.result?.msg ?? data.message ?? (event.type === 'play_start' ? data.play : undefined);
  return typeof text === 'string' ? text : text === undefined ? '' : JSON.stringify(text);
}

function EventRow({ event }: { event: RunEvent }) {
  const kind = resultClass(event);
  const grouped = kind === 'play' || kind === 'task';
  return (
    <div class={`event event-${kind}`} data-type={event.type}>
      <span class="seq">{event.seq}</span>
      <span class="time">{new Date(event.createdAt).toLocaleTimeString()}</span>
      {grouped ? (
        <span class="title">{kind === 'play' ? `PLAY ${message(event)}` : event.task}</span>
      ) : (
        <>
          <span class="host">{event.host ?? ''}</span>
          <span class="result">{kind === 'other' ? event.type : kind}</span>
          <span class="msg">{message(event) || event.task}</span>
        </>
      )}
    </div>
  );
}

export function RunView({ id }: { id: string }) {
  const canAct = useCanAct();
  const [run, setRun] = useState<Awaited<ReturnType<typeof loadRun>>>();
  const [error, setError] = useState<string | null>(null);
  const [log, setLog] = useState<string | null>(null);
  const { events, error: streamError } = useRunEvents(id);

  const reload = () => loadRun(id).then(setRun, (caught: Error) => setError(caught.message));
  useEffect(() => {
    void reload();
    // Status, position and progress change without an event of their own: follow runUpdated.
    return subscribe(RunUpdatedSubscription, { runId: id }, () => void reload(), (caught) => setError(caught.message));
  }, [id]);

  if (!run) return <ErrorLine error={error ?? (run === null ? 'No such run, or your key may not see it.' : null)} />;
  /** A cancel or a retry: the retry's new run is shown; an error is shown where it happened. */
  const settle = (result: { __typename: string; run?: { id: string } }, success: string) => {
    const done = outcome(result, success);
    if (!done.ok) setError(done.message);
    else if (done.value.run && done.value.run.id !== id) location.hash = href('runs', done.value.run.id);
    void reload();
  };
  const cancel = async () => settle((await request(CancelRunMutation, { id })).cancelRun, 'CancelRunSuccess');
  const retry = async () => settle((await request(RetryRunMutation, { id })).retryRun, 'RetryRunSuccess');
  return (
    <div>
      <h1>
        {run.action} {run.checkMode ? '(preview) ' : ''}of <a href={href('products', run.product.slug)}>{run.product.name}</a> <Status value={run.status} />
      </h1>
      <dl class="facts">
        <dt>Service</dt>
        <dd>{run.service ? <a href={href('services', run.service.id)}>{run.service.customerRef}</a> : '—'}</dd>
        <dt>Reason</dt>
        <dd data-testid="status-reason">{run.statusReason ?? '—'}</dd>
        <dt>Progress</dt>
        <dd>
          {run.progress.tasksDone}/{run.progress.tasksStarted} tasks {run.progress.currentTask ? `· ${run.progress.currentTask} on ${run.progress.currentHost ?? ''}` : ''}
          {run.queuePosition !== null && ` · queue position ${run.queuePosition}`}
        </dd>
        <dt>Counters</dt>
        <dd class="counters">
          <span class="ok">ok {run.counters.ok}</span> <span class="changed">changed {run.counters.changed}</span> <span class="failed">failed {run.counters.failed}</span>{' '}
          <span class="skipped">skipped {run.counters.skipped}</span> <span class="rescued">rescued {run.counters.rescued}</span> <span class="failed">unreachable {run.counters.unreachable}</span>
        </dd>
        <dt>Times</dt>
        <dd>
          {run.notBefore && <span data-testid="scheduled-for">scheduled for {when(run.notBefore)}{run.notAfter && `, expires ${when(run.notAfter)}`} · </span>}
          queued {when(run.queuedAt)} · started {when(run.startedAt)} · finished {when(run.finishedAt)}
        </dd>
        {run.compensatesRun && (
          <>
            <dt>Compensates</dt>
            <dd><a href={href('runs', run.compensatesRun.id)}>run</a> <Status value={run.compensatesRun.status} /></dd>
          </>
        )}
        {run.compensatedBy.map((compensation) => (
          <>
            <dt>Compensated by</dt>
            <dd><a href={href('runs', compensation.id)} data-testid="compensation">compensation run</a> <Status value={compensation.status} /></dd>
          </>
        ))}
        {run.retryOf && (
          <>
            <dt>Retry of</dt>
            <dd><a href={href('runs', run.retryOf.id)}>run</a> <Status value={run.retryOf.status} /></dd>
          </>
        )}
      </dl>
      {canAct && (
        <p class="actions">
          {ACTIVE.has(run.status) && (
            <button type="button" class="danger" onClick={() => void cancel()}>
              Cancel run
            </button>
          )}
          {RETRYABLE.has(run.status) && (
            <button type="button" onClick={() => void retry()}>
              Retry
            </button>
          )}
          <button type="button" class="link" onClick={() => void request(RunLogQuery, { id }).then((data) => setLog(data.run?.log ?? ''), (caught: Error) => setError(caught.message))}>
            Show the plain log
          </button>
        </p>
      )}
      <ErrorLine error={error ?? streamError} />
      <h2>
        Events <span class="quiet">({events.length} of {run.lastSeq})</span>
      </h2>
      <VirtualList items={events} rowHeight={24} height={480} testId="events" row={(event) => <EventRow event={event} />} />
      {log !== null && <pre class="log" data-testid="log">{log}</pre>}
    </div>
  );
}

async function loadRun(id: string) {
  return (await request(RunQuery, { id })).run;
}
