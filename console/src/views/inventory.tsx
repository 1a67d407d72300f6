import { useEffect, useState } from 'preact/hooks';
import { outcome, request, subscribe } from '../api.ts';
import { graphql } from '../gql/index.ts';
import type { InventoryKind, InventoryStatus, NewInventoryItemInput } from '../gql/graphql.ts';
import { useCanAct } from '../role.ts';
import { ErrorLine, Status, usePolled } from '../ui.tsx';

const PoolsQuery = graphql(`
  query ConsolePools {
    inventoryPools { kind total available reserved inUse quarantined retired }
  }
`);

const PoolChanged = graphql(`
  subscription ConsolePoolChanged {
    inventoryPoolChanged { kind total available reserved inUse quarantined retired }
  }
`);

const ItemsQuery = graphql(`
  query ConsoleItems($filter: InventoryFilter) {
    inventoryItems(first: 100, filter: $filter) { totalCount nodes { id kind identifier status statusReason attributes } }
  }
`);

const AddItemsMutation = graphql(`
  mutation ConsoleAddItems($items: [NewInventoryItemInput!]!) {
    addInventoryItems(items: $items) {
      __typename
      ... on AddInventoryItemsSuccess { added }
      ... on InventoryImportError { message rows { index identifier message } }
      ... on Error { message }
    }
  }
`);

const ReleaseMutation = graphql(`
  mutation ConsoleRelease($id: ID!) {
    releaseInventoryItem(id: $id) { __typename ... on Error { message } }
  }
`);

const RetireMutation = graphql(`
  mutation ConsoleRetire($id: ID!) {
    retireInventoryItem(id: $id) { __typename ... on Error { message } }
  }
`);

type Pool = { kind: InventoryKind; total: number; available: number; reserved: number; inUse: number; quarantined: number; retired: number };
const KINDS: InventoryKind[] = ['SIM', 'MODEM', 'IP_BLOCK', 'PHONE_NUMBER'];
const STATUSES: InventoryStatus[] = ['AVAILABLE', 'RESERVED', 'IN_USE', 'QUARANTINED', 'RETIRED'];

/** "kind,identifier,attr1,attr2" with a header line: every column after the second is an attribute. */
export function parseCsv(text: string): NewInventoryItemInput[] {
  const [header, ...lines] = text.trim().split(/\r?\n/).filter((line) => line.trim());
  const columns = (header ?? '').split(',').map((column) => column.trim());
  return lines.map((line) => {
    const cells = line.split(',').map((cell) => cell.trim());
    const attributes = Object.fromEntries(columns.slice(2).map((column, index) => [column, cells[index + 2] ?? '']).filter(([, value]) => value !== ''));
    return { kind: cells[0] as InventoryKind, identifier: cells[1] ?? '', attributes };
  });
}

function usePools(): Pool[] {
  const [pools, setPools] = useState<Pool[]>([]);
  useEffect(() => {
    void request(PoolsQuery).then((data) => setPools(data.inventoryPools));
    // Counts change with every reservation: the pool subscription keeps them live.
    return subscribe(PoolChanged, {}, ({ inventoryPoolChanged: pool }) => setPools((current) => [...current.filter((p) => p.kind !== pool.kind), pool].sort((a, b) => a.kind.localeCompare(b.kind))));
  }, []);
  return pools;
}

export function Inventory() {
  const canAct = useCanAct();
  const pools = usePools();
  const [kind, setKind] = useState<InventoryKind | ''>('');
  const [status, setStatus] = useState<InventoryStatus | ''>('');
  const [search, setSearch] = useState('');
  const filter = { ...(kind ? { kind } : {}), ...(status ? { status } : {}), ...(search ? { search } : {}) };
  const items = usePolled(() => request(ItemsQuery, { filter }), 5000, [kind, status, search]);
  const [csv, setCsv] = useState('kind,identifier\n');
  const [report, setReport] = useState<{ message: string; rows: Array<{ index: number; identifier: string; message: string }> } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const add = async () => {
    const { addInventoryItems } = await request(AddItemsMutation, { items: parseCsv(csv) });
    if (addInventoryItems.__typename === 'AddInventoryItemsSuccess') setReport({ message: `${addInventoryItems.added} added`, rows: [] });
    else if (addInventoryItems.__typename === 'InventoryImportError') setReport({ message: addInventoryItems.message, rows: addInventoryItems.rows });
    else setReport({ message: (addInventoryItems as { message?: string }).message ?? addInventoryItems.__typename, rows: [] });
    items.reload();
  };
  const settle = (result: { __typename: string }, success: string) => {
    const done = outcome(result, success);
    setError(done.ok ? null : done.message);
    items.reload();
  };
  const release = async (id: string) => settle((await request(ReleaseMutation, { id })).releaseInventoryItem, 'ReleaseInventoryItemSuccess');
  const retire = async (id: string) => settle((await request(RetireMutation, { id })).retireInventoryItem, 'RetireInventoryItemSuccess');
  return (
    <div>
      <h1>Inventory</h1>
      <table data-testid="pools" class="pools">
        <thead>
          <tr><th>Kind</th><th>Total</th><th>Available</th><th>Reserved</th><th>In use</th><th>Quarantined</th><th>Retired</th></tr>
        </thead>
        <tbody>
          {pools.map((pool) => (
            <tr key={pool.kind} data-kind={pool.kind}>
              <td>{pool.kind}</td><td>{pool.total}</td><td class="available">{pool.available}</td><td>{pool.reserved}</td><td>{pool.inUse}</td><td class="failed">{pool.quarantined}</td><td>{pool.retired}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="filters">
        <select value={kind} onChange={(event) => setKind(event.currentTarget.value as InventoryKind | '')}>
          <option value="">any kind</option>
          {KINDS.map((value) => <option value={value}>{value}</option>)}
        </select>
        <select value={status} onChange={(event) => setStatus(event.currentTarget.value as InventoryStatus | '')}>
          <option value="">any status</option>
          {STATUSES.map((value) => <option value={value}>{value}</option>)}
        </select>
        <input placeholder="search identifier" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
      </p>
      <ErrorLine error={items.error ?? error} />
      <table data-testid="items">
        <tbody>
          {items.data?.inventoryItems.nodes.map((item) => (
            <tr key={item.id}>
              <td>{item.kind}</td>
              <td>{item.identifier}</td>
              <td><Status value={item.status} /></td>
              <td>{item.statusReason}</td>
              {canAct && (
                <td>
                  {item.status === 'QUARANTINED' && <button type="button" onClick={() => void release(item.id)}>Release</button>}
                  {item.status !== 'RETIRED' && item.status !== 'RESERVED' && item.status !== 'IN_USE' && <button type="button" class="link" onClick={() => void retire(item.id)}>Retire</button>}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {canAct && (
        <section>
          <h2>Add from CSV</h2>
          <p class="quiet">A header line, then one item per line: kind,identifier, then attribute columns (e.g. kind,identifier,model).</p>
          <textarea name="csv" rows={6} value={csv} onInput={(event) => setCsv(event.currentTarget.value)} />
          <p><button type="button" onClick={() => void add()}>Add items</button></p>
          {report && (
            <div data-testid="import-report">
              <p>{report.message}</p>
              <ul>{report.rows.map((row) => <li>row {row.index + 1} ({row.identifier}): {row.message}</li>)}</ul>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
