// An example partner integration built on the typed client that GraphQL Code Generator makes from
// Provisio's schema.graphql (see codegen.ts): it lists products, adds phone numbers to the pool and
// watches the pool counts change over a WebSocket subscription.
//
//   node examples/partner/partner.ts http://127.0.0.1:4000/graphql
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import { graphql } from './gql/gql.ts';

const ListProducts = graphql(`
  query PartnerListProducts {
    products(first: 50) {
      nodes { slug name inventoryRequirements { kind count } }
    }
  }
`);

const AddNumbers = graphql(`
  mutation PartnerAddNumbers($items: [NewInventoryItemInput!]!) {
    addInventoryItems(items: $items) {
      __typename
      ... on AddInventoryItemsSuccess { added }
      ... on InventoryImportError { rows { index identifier message } }
      ... on ValidationError { issues { path message } }
    }
  }
`);

const WatchPool = graphql(`
  subscription PartnerWatchPool($kind: InventoryKind!) {
    inventoryPoolChanged(kind: $kind) { kind available total }
  }
`);

const url = process.argv[2] ?? 'http://127.0.0.1:4000/graphql';

async function execute<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables?: TVariables): Promise<TResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TResult; errors?: Array<{ message: string }> };
  if (!body.data) throw new Error(body.errors?.map((error) => error.message).join('; ') ?? `HTTP ${response.status}`);
  return body.data;
}

const { products } = await execute(ListProducts);
for (const product of products.nodes) {
  const needs = product.inventoryRequirements.map((req) => `${req.count}×${req.kind}`).join(' + ');
  console.log(`product ${product.slug}: ${product.name} (needs ${needs || 'nothing'})`);
}

const ws = createClient({ url: url.replace(/^http/, 'ws') });
const firstUpdate = new Promise<{ kind: string; available: number; total: number }>((resolve, reject) => {
  const unsubscribe = ws.subscribe(
    { query: print(WatchPool), variables: { kind: 'PHONE_NUMBER' } },
    {
      next: (message) => {
        const pool = (message.data as { inventoryPoolChanged?: { kind: string; available: number; total: number } } | null)?.inventoryPoolChanged;
        if (pool) {
          unsubscribe();
          resolve(pool);
        }
      },
      error: reject,
      complete: () => {},
    },
  );
});
// graphql-ws confirms nothing when a subscription starts: give it a moment before the change.
await new Promise((resolve) => setTimeout(resolve, 300));

const base = 4_930_000_000 + Math.floor(Math.random() * 9_000_000);
const items = [0, 1, 2].map((i) => ({ kind: 'PHONE_NUMBER' as const, identifier: `+49${base + i}` }));
const added = await execute(AddNumbers, { items });
if (added.addInventoryItems.__typename !== 'AddInventoryItemsSuccess') {
  console.error('import rejected:', JSON.stringify(added.addInventoryItems));
  process.exit(1);
}
console.log(`added ${added.addInventoryItems.added} phone numbers`);

const pool = await firstUpdate;
console.log(`pool ${pool.kind}: ${pool.available} available of ${pool.total}`);
await ws.dispose();
