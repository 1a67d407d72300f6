import { useState } from 'preact/hooks';
import { outcome, request } from '../api.ts';
import { graphql } from '../gql/index.ts';
import { href } from '../router.ts';
import { useCanAct } from '../role.ts';
import { ErrorLine, Status, when } from '../ui.tsx';

// A service against the network: its last sync check's verdict and what would change, and the
// buttons to check it again or re-deploy it (operators).

const CheckMutation = graphql(`
  mutation ConsoleCheckServiceSync($id: ID!, $revision: RevisionChoice!) {
    checkServiceSync(id: $id, revision: $revision) { __typename ... on CheckServiceSyncSuccess { started { run { id } } } ... on Error { message } }
  }
`);

const RedeployMutation = graphql(`
  mutation ConsoleRedeployService($id: ID!, $revision: RevisionChoice!) {
    redeployService(id: $id, revision: $revision) { __typename ... on RedeployServiceSuccess { started { run { id } } } ... on Error { message } }
  }
`);

export interface SyncFacts {
  id: string;
  syncState: string;
  syncCheckedAt?: string | null;
  lastSyncCheck?: { id: string; status: string } | null;
  syncDiffs: Array<{ seq: number; task?: string | null; host?: string | null; data: unknown }>;
  productRevision: number;
  upgradeAvailable: boolean;
  product: { revision: number };
}

interface DiffEntry {
  before?: unknown;
  after?: unknown;
  before_header?: string;
  after_header?: string;
  prepared?: unknown;
}

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

/** One task's diff on one host: before and after side by side. */
function Diff({ event }: { event: SyncFacts['syncDiffs'][number] }) {
  const entries = ((event.data as { diff?: DiffEntry[] } | null)?.diff ?? []).filter((entry) => entry.prepared !== undefined || shown(entry.before) !== shown(entry.after));
  return (
    <div class="diff" data-testid="sync-diff">
      <h3>{event.task} <small>on {event.host}</small></h3>
      {entries.map((entry) =>
        entry.prepared !== undefined ? (
          <pre>{shown(entry.prepared)}</pre>
        ) : (
          <div class="diff-sides">
            <figure><figcaption>now {entry.before_header ?? ''}</figcaption><pre class="diff-before">{shown(entry.before ?? '')}</pre></figure>
            <figure><figcaption>as recorded {entry.after_header ?? ''}</figcaption><pre class="diff-after">{shown(entry.after ?? '')}</pre></figure>
          </div>
        ),
      )}
    </div>
  );
}

export function SyncSection({ service, active, onStarted }: { service: SyncFacts; active: boolean; onStarted: () => void }) {
  const canAct = useCanAct();
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const start = async (mutation: 'check' | 'redeploy', revision: 'OWN' | 'CURRENT' = 'OWN') => {
    const variables = { id: service.id, revision };
    const result = mutation === 'check' ? (await request(CheckMutation, variables)).checkServiceSync : (await request(RedeployMutation, variables)).redeployService;
    const done = outcome(result, mutation === 'check' ? 'CheckServiceSyncSuccess' : 'RedeployServiceSuccess');
    setError(done.ok ? null : done.message);
    // An upgrade's preview leaves the verdict alone: its run's events show what the upgrade would change.
    if (done.ok && 'started' in done.value && revision === 'CURRENT' && mutation === 'check') setPreview(done.value.started.run.id);
    onStarted();
  };
  return (
    <section aria-labelledby="sync-heading">
      <h2 id="sync-heading">
        Network <Status value={service.syncState} />
      </h2>
      <p data-testid="sync-state">
        {service.syncCheckedAt ? <>checked {when(service.syncCheckedAt)}{service.lastSyncCheck && <> by <a href={href('runs', service.lastSyncCheck.id)}>this check</a></>}</> : 'never checked'}
        {service.syncState === 'DRIFTED' && ' · the network no longer matches what was provisioned: the diffs below say where'}
      </p>
      <p data-testid="revision">
        product revision {service.productRevision}
        {service.upgradeAvailable && <> · revision {service.product.revision} is available</>}
        {preview && <> · <a href={href('runs', preview)}>the upgrade's preview</a></>}
      </p>
      {canAct && active && (
        <p class="actions">
          <button type="button" onClick={() => void start('check')}>Check now</button>{' '}
          <button type="button" onClick={() => void start('redeploy')}>Re-deploy</button>
          {service.upgradeAvailable && (
            <>
              {' '}<button type="button" onClick={() => void start('check', 'CURRENT')}>Preview upgrade</button>{' '}
              <button type="button" onClick={() => void start('redeploy', 'CURRENT')}>Upgrade</button>
            </>
          )}
        </p>
      )}
      <ErrorLine error={error} />
      {service.syncState === 'DRIFTED' && service.syncDiffs.map((event) => <Diff key={event.seq} event={event} />)}
    </section>
  );
}
