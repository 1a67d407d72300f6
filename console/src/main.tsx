import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { request, session } from './api.ts';
import { graphql } from './gql/index.ts';
import { RoleContext, type Role } from './role.ts';
import { useRoute } from './router.ts';
import { Attention } from './views/attention.tsx';
import { BulkOperations } from './views/bulk.tsx';
import { Inventory } from './views/inventory.tsx';
import { ProductView, Products } from './views/products.tsx';
import { RunView } from './views/run.tsx';
import { Runs } from './views/runs.tsx';
import { ServiceView, Services } from './views/services.tsx';
import { SignIn } from './views/sign-in.tsx';

const ViewerQuery = graphql(`
  query ConsoleViewer {
    viewer { keyName role }
  }
`);

const NAV = [
  ['#/', 'Attention'],
  ['#/runs', 'Runs'],
  ['#/products', 'Products'],
  ['#/services', 'Services'],
  ['#/inventory', 'Inventory'],
  ['#/bulk', 'Bulk'],
] as const;

function App() {
  const [viewer, setViewer] = useState<{ keyName: string; role: Role } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();

  const signIn = async () => {
    try {
      const { viewer: signedIn } = await request(ViewerQuery);
      setViewer(signedIn);
      setError(null);
    } catch (caught) {
      session.signOut();
      setError((caught as Error).message);
    }
  };
  useEffect(() => {
    if (session.key) void signIn();
  }, []);

  if (!viewer) {
    return (
      <SignIn
        error={error}
        onKey={(key) => {
          session.signIn(key);
          void signIn();
        }}
      />
    );
  }
  return (
    <RoleContext.Provider value={viewer.role}>
      <header class="top">
        <strong>Provisio</strong>
        <nav>
          {NAV.map(([href, label]) => (
            <a href={href} class={route.section === href.slice(2).split('/')[0] ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who" data-testid="viewer">
          {viewer.keyName} · {viewer.role}
        </span>
        <button
          type="button"
          class="link"
          onClick={() => {
            session.signOut();
            setViewer(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main>{page(route.section, route.id)}</main>
    </RoleContext.Provider>
  );
}

function page(section: string, id: string | undefined) {
  switch (section) {
    case 'runs':
      return id ? <RunView id={id} /> : <Runs />;
    case 'products':
      return id ? <ProductView slug={id} /> : <Products />;
    case 'services':
      return id ? <ServiceView id={id} /> : <Services />;
    case 'inventory':
      return <Inventory />;
    case 'bulk':
      return <BulkOperations />;
    default:
      return <Attention />;
  }
}

render(<App />, document.getElementById('app')!);
