import { request } from '../api.ts';
import { graphql } from '../gql/index.ts';
import { href } from '../router.ts';
import { ErrorLine, Section, Status, usePolled, when } from '../ui.tsx';

const AttentionQuery = graphql(`
  query ConsoleAttention {
    services(first: 50, filter: { status: NEEDS_ATTENTION }) { totalCount nodes { id customerRef statusReason updatedAt product { slug } } }
    quarantined: inventoryItems(first: 50, filter: { status: QUARANTINED }) { totalCount nodes { id kind identifier statusReason } }
    running: runs(first: 50, filter: { status: RUNNING }) { totalCount nodes { id action status product { slug } service { customerRef } progress { tasksStarted currentTask } } }
    queued: runs(first: 50, filter: { status: QUEUED }) { totalCount nodes { id action status queuePosition product { slug } service { customerRef } } }
    lowPools { id slug pool { provisionsLeft alertBelow lowSince requirements { kind available } } }
  }
`);

/** The first page: what needs an operator now, and what is going on. */
export function Attention() {
  const { data, error } = usePolled(() => request(AttentionQuery), 3000);
  return (
    <div>
      <h1>Needs attention</h1>
      <ErrorLine error={error} />
      {data && (
        <>
          <Section title={`Services that need attention (${data.services.totalCount})`}>
            <table data-testid="needs-attention">
              <tbody>
                {data.services.nodes.map((service) => (
                  <tr key={service.id}>
                    <td><a href={href('services', service.id)}>{service.customerRef}</a></td>
                    <td>{service.product.slug}</td>
                    <td>{service.statusReason}</td>
                    <td>{when(service.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {data.services.totalCount === 0 && <p class="quiet">None.</p>}
          </Section>
          {data.lowPools.length > 0 && (
            <Section title={`Pools running low (${data.lowPools.length})`}>
              <table data-testid="low-pools">
                <tbody>
                  {data.lowPools.map((product) => (
                    <tr key={product.id}>
                      <td><a href={href('products', product.slug)}>{product.slug}</a></td>
                      <td>{product.pool.provisionsLeft} left (alert below {product.pool.alertBelow})</td>
                      <td>{product.pool.requirements.map((stock) => `${stock.kind} ${stock.available}`).join(' · ')}</td>
                      <td>{product.pool.lowSince && when(product.pool.lowSince)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
          )}
          <Section title={`Quarantined items (${data.quarantined.totalCount})`}>
            <table>
              <tbody>
                {data.quarantined.nodes.map((item) => (
                  <tr key={item.id}>
                    <td>{item.kind}</td>
                    <td>{item.identifier}</td>
                    <td>{item.statusReason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {data.quarantined.totalCount === 0 && <p class="quiet">None.</p>}
          </Section>
          <Section title={`Running (${data.running.totalCount}) and queued (${data.queued.totalCount})`}>
            <table>
              <tbody>
                {[...data.running.nodes, ...data.queued.nodes].map((run) => (
                  <tr key={run.id}>
                    <td><a href={href('runs', run.id)}>{run.action}</a></td>
                    <td><Status value={run.status} /></td>
                    <td>{run.product.slug}</td>
                    <td>{run.service?.customerRef}</td>
                    <td>{'progress' in run ? `${run.progress.tasksStarted} tasks · ${run.progress.currentTask ?? ''}` : `position ${run.queuePosition ?? '—'}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        </>
      )}
    </div>
  );
}
