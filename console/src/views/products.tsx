import { useState } from 'preact/hooks';
import { outcome, request } from '../api.ts';
import { graphql } from '../gql/index.ts';
import { useCanAct } from '../role.ts';
import { href } from '../router.ts';
import { ErrorLine, usePolled } from '../ui.tsx';

const ProductsQuery = graphql(`
  query ConsoleProducts {
    products(first: 100) { nodes { slug name description inventoryRequirements { kind count } } }
  }
`);

const ProductQuery = graphql(`
  query ConsoleProduct($slug: String!) {
    product(slug: $slug) { slug name description variableSchema secretVariables inventoryRequirements { kind count } }
  }
`);

const ProvisionMutation = graphql(`
  mutation ConsoleProvision($input: ProvisionServiceInput!) {
    provisionService(input: $input) {
      __typename
      ... on ProvisionServiceSuccess { started { run { id } } }
      ... on ValidationError { message issues { path message } }
      ... on Error { message }
    }
  }
`);

export function Products() {
  const { data, error } = usePolled(() => request(ProductsQuery), 10_000);
  return (
    <div>
      <h1>Products</h1>
      <ErrorLine error={error} />
      <table data-testid="products">
        <tbody>
          {data?.products.nodes.map((product) => (
            <tr key={product.slug}>
              <td><a href={href('products', product.slug)}>{product.name}</a></td>
              <td>{product.description}</td>
              <td>{product.inventoryRequirements.map((req) => `${req.count} × ${req.kind}`).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Property {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  secret?: boolean;
  minimum?: number;
  maximum?: number;
}

/** A form from the product's variable schema: one field per property, typed by its JSON Schema type. */
function VariableField({ name, property, required, value, onChange }: { name: string; property: Property; required: boolean; value: unknown; onChange: (value: unknown) => void }) {
  const label = `${name}${required ? ' *' : ''}`;
  if (property.enum) {
    return (
      <label>
        {label}
        <select name={name} value={String(value ?? '')} onChange={(event) => onChange(event.currentTarget.value === '' ? undefined : property.enum!.find((option) => String(option) === event.currentTarget.value))}>
          <option value="">—</option>
          {property.enum.map((option) => (
            <option value={String(option)}>{String(option)}</option>
          ))}
        </select>
      </label>
    );
  }
  if (property.type === 'boolean') {
    return (
      <label class="check">
        <input name={name} type="checkbox" checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} /> {label}
      </label>
    );
  }
  const numeric = property.type === 'integer' || property.type === 'number';
  return (
    <label>
      {label}
      <input
        name={name}
        type={(property.secret ? 'password' : numeric ? 'number' : 'text') as 'text'}
        autocomplete="off"
        placeholder={property.default !== undefined && !property.secret ? String(property.default) : ''}
        value={value === undefined ? '' : String(value)}
        onInput={(event) => {
          const text = event.currentTarget.value;
          onChange(text === '' ? undefined : numeric ? Number(text) : text);
        }}
      />
      {property.description && <small>{property.description}</small>}
    </label>
  );
}

export function ProductView({ slug }: { slug: string }) {
  const canAct = useCanAct();
  const { data, error } = usePolled(() => request(ProductQuery, { slug }), 30_000, [slug]);
  const [customerRef, setCustomerRef] = useState('');
  const [variables, setVariables] = useState<Record<string, unknown>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const product = data?.product;
  if (!product) return <ErrorLine error={error ?? (data ? 'No such product.' : null)} />;
  const schema = product.variableSchema as { properties?: Record<string, Property>; required?: string[] };
  const provision = async (checkMode: boolean) => {
    const defined = Object.fromEntries(Object.entries(variables).filter(([, value]) => value !== undefined));
    const { provisionService } = await request(ProvisionMutation, { input: { productSlug: slug, customerRef, variables: defined, checkMode } });
    const done = outcome(provisionService, 'ProvisionServiceSuccess');
    if (!done.ok) setFailure(done.message);
    else if (done.value.__typename === 'ProvisionServiceSuccess') location.hash = href('runs', done.value.started.run.id);
  };
  return (
    <div>
      <h1>{product.name}</h1>
      <p>{product.description}</p>
      <p class="quiet">Needs: {product.inventoryRequirements.map((req) => `${req.count} × ${req.kind}`).join(', ') || 'no inventory'}</p>
      {canAct ? (
        <form
          class="provision"
          onSubmit={(event) => {
            event.preventDefault();
            void provision(false);
          }}
        >
          <label>
            Customer reference *
            <input name="customerRef" value={customerRef} onInput={(event) => setCustomerRef(event.currentTarget.value)} required />
          </label>
          {Object.entries(schema.properties ?? {}).map(([name, property]) => (
            <VariableField name={name} property={property} required={schema.required?.includes(name) ?? false} value={variables[name]} onChange={(value) => setVariables({ ...variables, [name]: value })} />
          ))}
          <ErrorLine error={failure} />
          <p class="actions">
            <button type="submit">Provision</button>
            <button type="button" onClick={() => void provision(true)}>
              Preview (check mode)
            </button>
          </p>
        </form>
      ) : (
        <p class="quiet">Your key can look, not provision.</p>
      )}
    </div>
  );
}
