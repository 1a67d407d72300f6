// Registers a partner's persisted documents manifest (written by GraphQL Code Generator's client
// preset with `persistedDocuments: true`) so that the partner's keys may run those documents.
//
//   PROVISIO_API_KEY=<admin key> node scripts/trusted-documents.ts <partner-slug> <persisted-documents.json> [url]
//
// Without PROVISIO_API_KEY it reads the embedded profile's generated key from $PROVISIO_DATA_DIR/admin-key.
import fs from 'node:fs';
import path from 'node:path';

const [slug, manifestFile, url = process.env['PROVISIO_URL'] ?? 'http://127.0.0.1:4000/graphql'] = process.argv.slice(2);
if (!slug || !manifestFile) {
  console.error('usage: node scripts/trusted-documents.ts <partner-slug> <persisted-documents.json> [url]');
  process.exit(2);
}
const keyFile = path.join(process.env['PROVISIO_DATA_DIR'] ?? './data', 'admin-key');
const key = process.env['PROVISIO_API_KEY'] ?? (fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8').trim() : undefined);
if (!key) {
  console.error(`set PROVISIO_API_KEY to an admin key (or run where ${keyFile} exists)`);
  process.exit(2);
}

async function call(query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string }> };
  if (!body.data) throw new Error(body.errors?.map((error) => error.message).join('; ') ?? `HTTP ${response.status}`);
  return body.data;
}

const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, string>;
const partners = (await call('query { partners(first: 100) { nodes { id slug } } }', {})) as { partners: { nodes: Array<{ id: string; slug: string }> } };
const partner = partners.partners.nodes.find((candidate) => candidate.slug === slug);
if (!partner) {
  console.error(`no partner ${slug}: create it first (createPartner)`);
  process.exit(1);
}
const result = (await call(
  `mutation Register($partnerId: ID!, $manifest: JSONObject!) {
    registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) {
      __typename
      ... on RegisterTrustedDocumentsSuccess { registered }
      ... on ValidationError { message issues { path message } }
      ... on Error { message }
    }
  }`,
  { partnerId: partner.id, manifest },
)) as { registerTrustedDocuments: { __typename: string; registered?: number; message?: string; issues?: Array<{ path: string; message: string }> } };
const outcome = result.registerTrustedDocuments;
if (outcome.__typename !== 'RegisterTrustedDocumentsSuccess') {
  console.error(outcome.message);
  for (const issue of outcome.issues ?? []) console.error(`  ${issue.path}: ${issue.message}`);
  process.exit(1);
}
console.log(`${Object.keys(manifest).length} documents in the manifest, ${outcome.registered} newly registered for ${slug}`);
