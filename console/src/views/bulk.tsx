import { useState } from 'preact/hooks';
import { outcome, request } from '../api.ts';
import { graphql } from '../gql/index.ts';
import { useCanAct } from '../role.ts';
import { ErrorLine, Section, Status, usePolled, when } from '../ui.tsx';

// Bulk day-2 operations: a sync check or re-deploy of many services, started here (operators)
// and followed live: runs done out of all, in sync, drifted, failed, and a cancel.

const BulkOperationsQuery = graphql(`
  query ConsoleBulkOperations {
    bulkOperations(first: 20) {
      nodes { id kind revision selection state skipped createdAt cancelledAt progress { total queued running done succeeded failed inSync drifted } }
    }
  }
`);

const StartBulkMutation = graphql(`
  mutation ConsoleStartBulkOperation($input: StartBulkOperationInput!) {
    startBulkOperation(input: $input) { __typename ... on StartBulkOperationSuccess { bulkOperation { id } } ... on Error { message } }
  }
`);

const CancelBulkMutation = graphql(`
  mutation ConsoleCancelBulkOperation($id: ID!) {
    cancelBulkOperation(id: $id) { __typename ... on CancelBulkOperationSuccess { bulkOperation { id } } ... on Error { message } }
  }
`);

type Kind = 'CHECK_SYNC' | 'REDEPLOY';
type SyncStateChoice = '' | 'IN_SYNC' | 'DRIFTED' | 'UNKNOWN';

/** The form: which kind, which services (a product, optionally by sync state), which revision. */
function StartBulk({ onStarted }: { onStarted: () => void }) {
  const [kind, setKind] = useState<Kind>('CHECK_SYNC');
  const [productSlug, setProductSlug] = useState('');
  const [syncState, setSyncState] = useState<SyncStateChoice>('');
  const [revision, setRevision] = useState<'OWN' | 'CURRENT'>('OWN');
  const [error, setError] = useState<string | null>(null);
  const start = async (event: Event) => {
    event.preventDefault();
    const input = { kind, revision, ...(productSlug.trim() ? { productSlug: productSlug.trim() } : {}), ...(syncState ? { syncState } : {}) };
    const done = outcome((await request(StartBulkMutation, { input })).startBulkOperation, 'StartBulkOperationSuccess');
    setError(done.ok ? null : done.message);
    if (done.ok) onStarted();
  };
  return (
    <form class="filters" onSubmit={(event) => void start(event)} data-testid="start-bulk">
      <select name="kind" value={kind} onChange={(event) => setKind(event.currentTarget.value as Kind)}>
        <option value="CHECK_SYNC">Check against the network</option>
        <option value="REDEPLOY">Re-deploy</option>
      </select>
      <input name="productSlug" placeholder="product slug" value={productSlug} onInput={(event) => setProductSlug(event.currentTarget.value)} />
      <select name="syncState" value={syncState} onChange={(event) => setSyncState(event.currentTarget.value as SyncStateChoice)}>
        <option value="">any sync state</option>
        <option value="DRIFTED">DRIFTED</option>
        <option value="IN_SYNC">IN_SYNC</option>
        <option value="UNKNOWN">UNKNOWN</option>
      </select>
      <select name="revision" value={revision} onChange={(event) => setRevision(event.currentTarget.value as 'OWN' | 'CURRENT')}>
        <option value="OWN">each service's own revision</option>
        <option value="CURRENT">the product's current revision (upgrade)</option>
      </select>
      <button type="submit">Start</button>
      <ErrorLine error={error} />
    </form>
  );
}

/** Every bulk operation, newest first, refreshed every two seconds while it runs. */
export function BulkOperations() {
  const canAct = useCanAct();
  const { data, error, reload } = usePolled(() => request(BulkOperationsQuery), 2000);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const cancel = async (id: string) => {
    const done = outcome((await request(CancelBulkMutation, { id })).cancelBulkOperation, 'CancelBulkOperationSuccess');
    setCancelError(done.ok ? null : done.message);
    reload();
  };
  return (
    <div>
      <h1>Bulk operations</h1>
      {canAct && <StartBulk onStarted={reload} />}
      <ErrorLine error={error ?? cancelError} />
      <Section title="Newest first">
        <table data-testid="bulk-operations">
          <thead>
            <tr><th>Started</th><th>What</th><th>Services</th><th>State</th><th>Progress</th><th>Found</th><th /></tr>
          </thead>
          <tbody>
            {data?.bulkOperations.nodes.map((bulk) => (
              <tr key={bulk.id} data-testid="bulk-operation">
                <td>{when(bulk.createdAt)}</td>
                <td>{bulk.kind === 'CHECK_SYNC' ? 'check' : 're-deploy'}{bulk.revision === 'CURRENT' ? ' to the current revision' : ''}</td>
                <td>{describeSelection(bulk.selection)}{bulk.skipped > 0 ? ` · ${bulk.skipped} skipped` : ''}</td>
                <td><Status value={bulk.state} /></td>
                <td>
                  <progress max={bulk.progress.total || 1} value={bulk.progress.done} />{' '}
                  <span data-testid="bulk-done">{bulk.progress.done}/{bulk.progress.total}</span>
                  {bulk.progress.running > 0 && ` · ${bulk.progress.running} running`}
                </td>
                <td data-testid="bulk-found">
                  {bulk.kind === 'CHECK_SYNC' ? `${bulk.progress.inSync} in sync · ${bulk.progress.drifted} drifted` : `${bulk.progress.succeeded} succeeded`}
                  {bulk.progress.failed > 0 && ` · ${bulk.progress.failed} failed`}
                </td>
                <td>{canAct && bulk.state === 'RUNNING' && <button type="button" onClick={() => void cancel(bulk.id)}>Cancel</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data?.bulkOperations.nodes.length === 0 && <p class="quiet">None yet.</p>}
      </Section>
    </div>
  );
}

function describeSelection(selection: unknown): string {
  const { productSlug, targetName, syncState, serviceIds } = selection as { productSlug?: string; targetName?: string; syncState?: string; serviceIds?: string[] };
  return [productSlug, targetName && `target ${targetName}`, syncState, serviceIds && `${serviceIds.length} listed`].filter(Boolean).join(' · ') || 'all';
}
