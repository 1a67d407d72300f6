import { useState } from 'preact/hooks';
import { request } from '../api.ts';
import { graphql } from '../gql/index.ts';
import type { RunStatus } from '../gql/graphql.ts';
import { href } from '../router.ts';
import { ErrorLine, Status, usePolled, when } from '../ui.tsx';

const RunsQuery = graphql(`
  query ConsoleRuns($filter: RunFilter) {
    runs(first: 100, filter: $filter) {
      totalCount
      nodes { id action actionName status checkMode queuePosition queuedAt product { slug } service { customerRef } progress { tasksStarted tasksDone currentTask } }
    }
  }
`);

const STATUSES: RunStatus[] = ['SCHEDULED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'CANCELED', 'TIMED_OUT', 'INTERRUPTED', 'EXPIRED'];

/** Newest runs, refreshed every two seconds: status, queue position and progress as they change. */
export function Runs() {
  const [status, setStatus] = useState<RunStatus | ''>('');
  const { data, error } = usePolled(() => request(RunsQuery, { filter: status ? { status } : null }), 2000, [status]);
  return (
    <div>
      <h1>Runs</h1>
      <label>
        Status{' '}
        <select value={status} onChange={(event) => setStatus(event.currentTarget.value as RunStatus | '')}>
          <option value="">any</option>
          {STATUSES.map((value) => (
            <option value={value}>{value}</option>
          ))}
        </select>
      </label>
      <ErrorLine error={error} />
      <table data-testid="runs">
        <thead>
          <tr><th>Run</th><th>Status</th><th>Product</th><th>Service</th><th>Progress</th><th>Queued</th></tr>
        </thead>
        <tbody>
          {data?.runs.nodes.map((run) => (
            <tr key={run.id}>
              <td><a href={href('runs', run.id)}>{run.actionName ?? run.action}{run.checkMode ? ' (preview)' : ''}</a></td>
              <td><Status value={run.status} /></td>
              <td>{run.product.slug}</td>
              <td>{run.service?.customerRef ?? '—'}</td>
              <td>{run.queuePosition !== null ? `position ${run.queuePosition}` : `${run.progress.tasksDone}/${run.progress.tasksStarted} ${run.progress.currentTask ?? ''}`}</td>
              <td>{when(run.queuedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
