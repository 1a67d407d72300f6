import { createHash } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { graphql } from '../gql/gql.ts';
import { createKey, setUpPartner } from './access.ts';
import { post, query, type Endpoint } from './client.ts';
import { AddInventoryMutation, ProductsQuery } from './documents.ts';
import { waitForRun } from './runs.ts';

export type MatrixRole = 'ADMIN' | 'OPERATOR' | 'VIEWER' | 'PARTNER';
export const ROLES: MatrixRole[] = ['VIEWER', 'PARTNER', 'OPERATOR', 'ADMIN'];

/** Everything the matrix acts on: a key per role, two partners, a finished run of partner A. */
export interface AccessFixture {
  endpoints: Record<MatrixRole, Endpoint>;
  /** A second partner, granted the same product, who must not see partner A's data. */
  otherPartner: Endpoint & { partnerId: string };
  partnerId: string;
  operatorKeyId: string;
  productIds: Record<string, string>;
  /** Partner A's ACTIVE voip-line service and the run that provisioned it. */
  serviceId: string;
  runId: string;
  /** Registers documents for both partners (partners run only registered ones). */
  trust(documents: string[]): Promise<void>;
}

export const documentId = (document: string) => `sha256:${createHash('sha256').update(document).digest('hex')}`;

const RegisterDocuments = graphql(`
  mutation RegisterDocuments($partnerId: ID!, $manifest: JSONObject!) {
    registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) {
      __typename
      ... on RegisterTrustedDocumentsSuccess { registered }
      ... on Error { message }
    }
  }
`);

export async function buildAccessFixture(admin: Endpoint): Promise<AccessFixture> {
  const partner = await setUpPartner(admin, 'partner-a', ['voip-line', 'mobile-sim-plan']);
  const otherPartner = await setUpPartner(admin, 'partner-b', ['voip-line']);
  const operator = await createKey(admin, 'OPERATOR');
  const endpoints: Record<MatrixRole, Endpoint> = {
    ADMIN: admin,
    OPERATOR: operator,
    VIEWER: await createKey(admin, 'VIEWER'),
    PARTNER: partner,
  };
  const products = (await query(admin, ProductsQuery, {})).products.nodes;
  const productIds = Object.fromEntries(products.map((product) => [product.slug, product.id]));
  const added = await query(admin, AddInventoryMutation, {
    items: Array.from({ length: 30 }, (_, i) => ({ kind: 'PHONE_NUMBER' as const, identifier: `+4420799${String(i).padStart(5, '0')}` })),
  });
  if (added.addInventoryItems.__typename !== 'AddInventoryItemsSuccess') throw new Error('could not add numbers');

  const trust = async (documents: string[]) => {
    const manifest = Object.fromEntries(documents.map((document) => [documentId(document), document]));
    for (const partnerId of [partner.partnerId, otherPartner.partnerId]) {
      const result = await query(admin, RegisterDocuments, { partnerId, manifest });
      if (result.registerTrustedDocuments.__typename !== 'RegisterTrustedDocumentsSuccess') throw new Error(JSON.stringify(result.registerTrustedDocuments));
    }
  };
  // Partner A provisions through its registered document, like a real partner client.
  const provisionDocument = `mutation PartnerAProvision($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ProvisionServiceSuccess { started { service { id } run { id } } } ... on Error { message } } }`;
  await trust([provisionDocument]);
  const response = await post(partner, {
    documentId: documentId(provisionDocument),
    variables: { input: { productSlug: 'voip-line', customerRef: 'partner-a-customer', variables: { caller_id_name: 'Partner A', sip_password: 'partner-a-secret-pw' } } },
  });
  const body = (await response.json()) as { data?: { provisionService: { started?: { service: { id: string }; run: { id: string } } } } };
  const started = body.data?.provisionService.started;
  if (!started) throw new Error(`partner provision failed: ${JSON.stringify(body)}`);
  const run = await waitForRun(admin, started.run.id);
  if (run.status !== 'SUCCEEDED') throw new Error(`partner A's run ended ${run.status}`);
  return { endpoints, otherPartner, partnerId: partner.partnerId, operatorKeyId: operator.keyId, productIds, serviceId: started.service.id, runId: started.run.id, trust };
}

/** Sends a document as the role would: partners by documentId (registered beforehand), others as text. */
export async function send(endpoint: Endpoint, role: MatrixRole | 'OTHER_PARTNER', document: string, variables: Record<string, unknown> = {}) {
  const partnerLike = role === 'PARTNER' || role === 'OTHER_PARTNER';
  const response = await post(endpoint, partnerLike ? { documentId: documentId(document), variables } : { query: document, variables });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

/**
 * A digest of every table a denied mutation could have written (the audit log excepted: a denied
 * attempt is recorded there on purpose). Equal digests before and after mean nothing was written.
 */
export async function fingerprint(prisma: PrismaClient): Promise<string> {
  const tables = ['Product', 'InventoryItem', 'Service', 'ProvisioningRun', 'RunEvent', 'Partner', 'PartnerProduct', 'ApiKey', 'TrustedDocument'];
  const digests = await Promise.all(
    tables.map(async (table) => {
      const [row] = await prisma.$queryRawUnsafe<Array<{ digest: string | null }>>(
        // lastUsedAt changes with every use of a key; it is a usage hint, not a write of the caller's.
        `SELECT md5(coalesce(string_agg(${table === 'ApiKey' ? `(to_jsonb(t) - 'lastUsedAt')::text` : 't::text'}, ',' ORDER BY t::text), '')) AS digest FROM "${table}" t`,
      );
      return `${table}:${row?.digest}`;
    }),
  );
  return digests.join(' ');
}

/** Waits until no run is QUEUED or RUNNING, so a fingerprint is not disturbed by a playbook. */
export async function settle(prisma: PrismaClient): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await prisma.provisioningRun.count({ where: { status: { in: ['QUEUED', 'RUNNING'] } } })) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('runs did not settle');
}

