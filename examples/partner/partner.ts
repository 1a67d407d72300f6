// An example partner integration on the typed client GraphQL Code Generator makes from Provisio's
// schema.graphql (see codegen.ts). Partner keys run only documents an admin registered for them,
// so this program sends the hash of each document (its `documentId`), never the document itself:
// the client preset's `persistedDocuments` option writes the hashes into the generated documents
// and the manifest an admin registers (gql/persisted-documents.json).
//
// It lists the products granted to the partner, provisions one for a customer, follows the run's
// events live over a WebSocket and prints the outcome.
//
//   PROVISIO_API_KEY=<partner key> node examples/partner/partner.ts http://127.0.0.1:4000/graphql [product-slug]
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient } from 'graphql-ws';
import { graphql } from './gql/gql.ts';

const ListProducts = graphql(`
  query PartnerListProducts {
    products(first: 50) {
      nodes { slug name secretVariables inventoryRequirements { kind count } }
    }
  }
`);

const Provision = graphql(`
  mutation PartnerProvision($input: ProvisionServiceInput!) {
    provisionService(input: $input) {
      __typename
      ... on ProvisionServiceSuccess { started { service { id customerRef } run { id status } } }
      ... on Error { message }
    }
  }
`);

const FollowRun = graphql(`
  subscription PartnerFollowRun($runId: ID!) {
    runEvents(runId: $runId) { seq type task changed }
  }
`);

const RunOutcome = graphql(`
  query PartnerRunOutcome($id: ID!) {
    run(id: $id) { status statusReason counters { ok changed failed } service { status outputs } }
  }
`);

const url = process.argv[2] ?? 'http://127.0.0.1:4000/graphql';
const productSlug = process.argv[3] ?? 'voip-line';
const key = process.env['PROVISIO_API_KEY'];
if (!key) {
  console.error('set PROVISIO_API_KEY to your partner key');
  process.exit(2);
}

/** The hash the client preset attached to a document: what the server knows it by. */
function documentId(document: TypedDocumentNode<unknown, never>): string {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error('documents carry no hash: generate them with persistedDocuments (npm run codegen)');
  return hash;
}

async function execute<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables?: TVariables): Promise<TResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ documentId: documentId(document as TypedDocumentNode<unknown, never>), variables }),
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

const customerRef = `partner-example-${Date.now()}`;
const provisioned = await execute(Provision, {
  input: { productSlug, customerRef, variables: { caller_id_name: 'Partner Example', sip_password: 'correct-horse-battery' }, idempotencyKey: customerRef },
});
if (provisioned.provisionService.__typename !== 'ProvisionServiceSuccess') {
  console.error('provision refused:', JSON.stringify(provisioned.provisionService));
  process.exit(1);
}
const { run } = provisioned.provisionService.started;
console.log(`provisioning ${productSlug} for ${customerRef}: run ${run.id} ${run.status}`);

// graphql-ws needs a query string: "" plus the document's hash in the extensions.
const ws = createClient({ url: url.replace(/^http/, 'ws'), connectionParams: { authorization: `Bearer ${key}` } });
let tasks = 0;
await new Promise<void>((resolve, reject) => {
  ws.subscribe(
    { query: '', variables: { runId: run.id }, extensions: { persistedQuery: { version: 1, sha256Hash: documentId(FollowRun as TypedDocumentNode<unknown, never>) } } },
    {
      next: (message) => {
        if (message.errors) reject(new Error(JSON.stringify(message.errors)));
        const event = (message.data as { runEvents?: { type: string; task: string | null } } | null)?.runEvents;
        if (event?.type === 'task_start') {
          tasks++;
          console.log(`  task: ${event.task}`);
        }
      },
      error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
      complete: resolve,
    },
  );
});
await ws.dispose();

const outcome = await execute(RunOutcome, { id: run.id });
console.log(`run ${outcome.run?.status} after ${tasks} tasks; service ${outcome.run?.service?.status}`);
if (outcome.run?.status !== 'SUCCEEDED') process.exit(1);
