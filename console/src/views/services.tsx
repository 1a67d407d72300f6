import { useState } from 'preact/hooks';
import { request } from '../api.ts';
import { graphql } from '../gql/index.ts';
import type { ServiceStatus, SyncState } from '../gql/graphql.ts';
import { href } from '../router.ts';
import { ErrorLine, Status, usePolled, when } from '../ui.tsx';
import { SyncSection } from './sync.tsx';

const ServicesQuery = graphql(`
  query ConsoleServices($filter: ServiceFilter) {
    services(first: 100, filter: $filter) { totalCount nodes { id customerRef status statusReason syncState updatedAt product { slug } } }
  }
`);

const ProductSlugsQuery = graphql(`
  query ConsoleProductSlugs {
    products(first: 100) { nodes { slug name } }
  }
`);

const ServiceQuery = graphql(`
  query ConsoleService($id: ID!) {
    service(id: $id) {
      id customerRef status statusReason createdAt outputs
      syncState syncCheckedAt lastSyncCheck { id status } syncDiffs { seq task host data } productRevision upgradeAvailable product { revision }
      product { slug name }
      inventoryItems { id kind identifier status }
      runs(first: 50) { nodes { id action actionName status checkMode queuedAt finishedAt statusReason } }
    }
  }
`);

const STATUSES: ServiceStatus[] = ['PROVISIONING', 'ACTIVE', 'SUSPENDED', 'DEPROVISIONING', 'DEPROVISIONED', 'FAILED', 'NEEDS_ATTENTION'];
const SYNC_STATES: SyncState[] = ['IN_SYNC', 'DRIFTED', 'UNKNOWN'];

export function Services() {
  const [customerRef, setCustomerRef] = useState('');
  const [status, setStatus] = useState<ServiceStatus | ''>('');
  const [productSlug, setProductSlug] = useState('');
  const [syncState, setSyncState] = useState<SyncState | ''>('');
  const products = usePolled(() => request(ProductSlugsQuery), 60_000);
  const filter = { ...(customerRef ? { customerRef } : {}), ...(status ? { status } : {}), ...(productSlug ? { productSlug } : {}), ...(syncState ? { syncState } : {}) };
  const { data, error } = usePolled(() => request(ServicesQuery, { filter }), 3000, [customerRef, status, productSlug, syncState]);
  return (
    <div>
      <h1>Services</h1>
      <p class="filters">
        <label>Customer reference <input value={customerRef} onInput={(event) => setCustomerRef(event.currentTarget.value)} /></label>
        <label>
          Status{' '}
          <select value={status} onChange={(event) => setStatus(event.currentTarget.value as ServiceStatus | '')}>
            <option value="">any</option>
            {STATUSES.map((value) => <option value={value}>{value}</option>)}
          </select>
        </label>
        <label>
          Product{' '}
          <select value={productSlug} onChange={(event) => setProductSlug(event.currentTarget.value)}>
            <option value="">any</option>
            {products.data?.products.nodes.map((product) => <option value={product.slug}>{product.name}</option>)}
          </select>
        </label>
        <label>
          Network{' '}
          <select value={syncState} onChange={(event) => setSyncState(event.currentTarget.value as SyncState | '')}>
            <option value="">any</option>
            {SYNC_STATES.map((value) => <option value={value}>{value}</option>)}
          </select>
        </label>
      </p>
      <ErrorLine error={error} />
      <table data-testid="services">
        <tbody>
          {data?.services.nodes.map((service) => (
            <tr key={service.id}>
              <td><a href={href('services', service.id)}>{service.customerRef}</a></td>
              <td>{service.product.slug}</td>
              <td><Status value={service.status} /></td>
              <td>{service.syncState === 'UNKNOWN' ? '' : <Status value={service.syncState} />}</td>
              <td>{service.statusReason}</td>
              <td>{when(service.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ServiceView({ id }: { id: string }) {
  const { data, error, reload } = usePolled(() => request(ServiceQuery, { id }), 3000, [id]);
  const service = data?.service;
  if (!service) return <ErrorLine error={error ?? (data ? 'No such service.' : null)} />;
  return (
    <div>
      <h1>
        {service.customerRef} <Status value={service.status} />
      </h1>
      <p>
        <a href={href('products', service.product.slug)}>{service.product.name}</a> · since {when(service.createdAt)} {service.statusReason ? `· ${service.statusReason}` : ''}
      </p>
      <SyncSection service={service} active={service.status === 'ACTIVE'} onStarted={reload} />
      <h2>Inventory</h2>
      <ul>
        {service.inventoryItems.map((item) => (
          <li key={item.id}>{item.kind} {item.identifier} <Status value={item.status} /></li>
        ))}
      </ul>
      <h2>History</h2>
      <table data-testid="service-runs">
        <tbody>
          {service.runs.nodes.map((run) => (
            <tr key={run.id}>
              <td><a href={href('runs', run.id)}>{run.actionName ?? run.action}{run.checkMode ? ' (preview)' : ''}</a></td>
              <td><Status value={run.status} /></td>
              <td>{when(run.queuedAt)}</td>
              <td>{run.statusReason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
