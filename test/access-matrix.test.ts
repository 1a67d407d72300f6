import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from './support/access.ts';
import { buildAccessFixture, documentId, fingerprint, ROLES, send, settle, type AccessFixture, type MatrixRole } from './support/access-fixture.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { query, sseClient, wsClient, type Endpoint } from './support/client.ts';
import { AddInventoryMutation, CreateProductMutation, InventoryQuery } from './support/documents.ts';
import { graphql } from './gql/gql.ts';

let server: TestApp;
let fx: AccessFixture;
beforeAll(async () => {
  server = await startTestApp({}, { demo: true });
  fx = await buildAccessFixture(server);
});
afterAll(async () => {
  await server?.close();
});

const STAFF: MatrixRole[] = ['ADMIN', 'OPERATOR', 'VIEWER'];
const EVERYONE: MatrixRole[] = ['ADMIN', 'OPERATOR', 'VIEWER', 'PARTNER'];
const OPERATORS: MatrixRole[] = ['ADMIN', 'OPERATOR'];

interface Operation {
  document: string;
  allowed: MatrixRole[];
  /** Variables for a call; `allowed` calls get throwaway targets, denied ones the real thing. */
  variables?: (role: MatrixRole, allowed: boolean) => Promise<Record<string, unknown>> | Record<string, unknown>;
}

const unique = () => randomUUID().slice(0, 8);

async function throwawayItem(): Promise<string> {
  const identifier = `+4420788${String(Math.floor(Math.random() * 100_000)).padStart(5, '0')}`;
  await query(server, AddInventoryMutation, { items: [{ kind: 'PHONE_NUMBER', identifier }] });
  const items = await query(server, InventoryQuery, { filter: { search: identifier }, first: 1 });
  return items.inventoryItems.nodes[0]!.id;
}

async function throwawayProduct(): Promise<string> {
  const result = await query(server, CreateProductMutation, {
    input: { slug: `throwaway-${unique()}`, name: 'Throwaway', provisionPlaybook: 'voip-line/provision.yml', deprovisionPlaybook: 'voip-line/deprovision.yml' },
  });
  if (result.createProduct.__typename !== 'CreateProductSuccess') throw new Error(JSON.stringify(result.createProduct));
  return result.createProduct.product.id;
}

const throwawayKey = async () => (await createKey(server, 'VIEWER', { name: 'throwaway' })).keyId;
/** Denied attempts aim at what would hurt: the operator's own key. */
const operatorKeyId = () => fx.operatorKeyId;

const QUERIES: Record<string, Operation> = {
  products: { document: `query MProducts { products { totalCount nodes { slug } } }`, allowed: EVERYONE },
  product: { document: `query MProduct { product(slug: "voip-line") { slug } }`, allowed: EVERYONE },
  productDefaults: { document: `query MProductDefaults { product(slug: "voip-line") { defaultVariables provisionPlaybook } }`, allowed: STAFF },
  inventoryItems: { document: `query MInventory { inventoryItems(first: 5) { totalCount } }`, allowed: STAFF },
  inventoryPools: { document: `query MPools { inventoryPools { kind available } }`, allowed: STAFF },
  services: { document: `query MServices { services { totalCount } }`, allowed: EVERYONE },
  service: { document: `query MService($id: ID!) { service(id: $id) { id } }`, allowed: EVERYONE, variables: () => ({ id: fx.serviceId }) },
  runs: { document: `query MRuns { runs { totalCount } }`, allowed: EVERYONE },
  run: { document: `query MRun($id: ID!) { run(id: $id) { id status } }`, allowed: EVERYONE, variables: () => ({ id: fx.runId }) },
  runLog: { document: `query MRunLog($id: ID!) { run(id: $id) { log } }`, allowed: ['ADMIN', 'OPERATOR', 'PARTNER'], variables: () => ({ id: fx.runId }) },
  playbooks: { document: `query MPlaybooks { playbooks { name } }`, allowed: STAFF },
  node: { document: `query MNode($id: ID!) { node(id: $id) { id } }`, allowed: EVERYONE, variables: () => ({ id: fx.runId }) },
  viewer: { document: `query MViewer { viewer { role keyName } }`, allowed: EVERYONE },
  apiKeys: { document: `query MKeys { apiKeys { totalCount nodes { name prefix } } }`, allowed: ['ADMIN'] },
  partners: { document: `query MPartners { partners { totalCount } }`, allowed: ['ADMIN'] },
  auditLog: { document: `query MAudit { auditLog(first: 5) { totalCount } }`, allowed: ['ADMIN'] },
  webhookEndpoints: { document: `query MHooks { webhookEndpoints { totalCount nodes { name url } } }`, allowed: ['ADMIN'] },
  bulkOperations: { document: `query MBulks { bulkOperations(first: 5) { totalCount nodes { kind state } } }`, allowed: STAFF },
  webhookDeliveries: { document: `query MDeliveries { webhookDeliveries(first: 5) { totalCount nodes { status payload } } }`, allowed: ['ADMIN'] },
  lowPools: { document: `query MLowPools { lowPools { slug } }`, allowed: STAFF },
  productPool: { document: `query MPool { product(slug: "voip-line") { poolAlertBelow pool { provisionsLeft low } } }`, allowed: STAFF },
};

const RESULT = '{ __typename ... on Error { message } }';

/** Disabled: the matrix server sends nothing (its URL is public and this machine is offline). */
const webhookInput = () => ({ name: `matrix-${unique()}`, url: 'https://hooks.example.com/provisio', events: ['RUN_FAILED'], enabled: false });

async function throwawayEndpoint(): Promise<string> {
  const { body } = await send(server, 'ADMIN', `mutation MThrowawayHook($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { ... on CreateWebhookEndpointSuccess { issued { endpoint { id } } } } }`, { input: webhookInput() });
  return (body.data as { createWebhookEndpoint: { issued: { endpoint: { id: string } } } }).createWebhookEndpoint.issued.endpoint.id;
}

/** Denied attempts aim at an endpoint made once. */
let fixtureEndpoint: string | undefined;
const endpointFor = async (allowed: boolean) => (allowed ? throwawayEndpoint() : (fixtureEndpoint ??= await throwawayEndpoint()));

const MUTATIONS: Record<string, Operation> = {
  createWebhookEndpoint: {
    document: `mutation MCreateHook($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: () => ({ input: webhookInput() }),
  },
  updateWebhookEndpoint: {
    document: `mutation MUpdateHook($id: ID!) { updateWebhookEndpoint(id: $id, input: { url: "https://hooks.example.com/other" }) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: async (_role, allowed) => ({ id: await endpointFor(allowed) }),
  },
  rotateWebhookSecret: {
    document: `mutation MRotateHook($id: ID!) { rotateWebhookSecret(id: $id) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: async (_role, allowed) => ({ id: await endpointFor(allowed) }),
  },
  pingWebhookEndpoint: {
    document: `mutation MPingHook($id: ID!) { pingWebhookEndpoint(id: $id) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: async (_role, allowed) => ({ id: await endpointFor(allowed) }),
  },
  resendWebhookDelivery: {
    document: `mutation MResend($id: ID!) { resendWebhookDelivery(id: $id) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: () => ({ id: randomUUID() }),
  },
  deleteWebhookEndpoint: {
    document: `mutation MDeleteHook($id: ID!) { deleteWebhookEndpoint(id: $id) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: async (_role, allowed) => ({ id: await endpointFor(allowed) }),
  },
  createProduct: {
    document: `mutation MCreateProduct($input: CreateProductInput!) { createProduct(input: $input) ${RESULT} }`,
    allowed: OPERATORS,
    variables: (role) => ({
      input: { slug: `matrix-${role.toLowerCase()}-${unique()}`, name: 'Matrix', provisionPlaybook: 'voip-line/provision.yml', deprovisionPlaybook: 'voip-line/deprovision.yml' },
    }),
  },
  updateProduct: {
    document: `mutation MUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) ${RESULT} }`,
    allowed: OPERATORS,
    variables: (role) => ({ id: fx.productIds['fibre-broadband'], input: { description: `changed by ${role}` } }),
  },
  archiveProduct: {
    document: `mutation MArchiveProduct($id: ID!) { archiveProduct(id: $id) ${RESULT} }`,
    allowed: OPERATORS,
    variables: async (_role, allowed) => ({ id: allowed ? await throwawayProduct() : fx.productIds['voip-line'] }),
  },
  addInventoryItems: {
    document: `mutation MAddItems($items: [NewInventoryItemInput!]!) { addInventoryItems(items: $items) ${RESULT} }`,
    allowed: OPERATORS,
    variables: () => ({ items: [{ kind: 'IP_BLOCK', identifier: `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.0/30` }] }),
  },
  retireInventoryItem: {
    document: `mutation MRetire($id: ID!) { retireInventoryItem(id: $id) ${RESULT} }`,
    allowed: OPERATORS,
    variables: async () => ({ id: await throwawayItem() }),
  },
  releaseInventoryItem: {
    document: `mutation MRelease($id: ID!) { releaseInventoryItem(id: $id) ${RESULT} }`,
    allowed: OPERATORS,
    variables: async () => ({ id: await throwawayItem() }),
  },
  provisionService: {
    document: `mutation MProvision($input: ProvisionServiceInput!) { provisionService(input: $input) ${RESULT} }`,
    allowed: ['ADMIN', 'OPERATOR', 'PARTNER'],
    variables: (role) => ({
      input: { productSlug: 'voip-line', customerRef: `matrix-${role}`, checkMode: true, variables: { caller_id_name: 'Matrix', sip_password: 'matrix-password-1' } },
    }),
  },
  deprovisionService: {
    document: `mutation MDeprovision($id: ID!) { deprovisionService(id: $id, checkMode: true) ${RESULT} }`,
    allowed: ['ADMIN', 'OPERATOR', 'PARTNER'],
    variables: () => ({ id: fx.serviceId }),
  },
  checkServiceSync: {
    document: `mutation MCheckSync($id: ID!) { checkServiceSync(id: $id) ${RESULT} }`,
    allowed: ['ADMIN', 'OPERATOR', 'PARTNER'],
    variables: () => ({ id: fx.serviceId }),
  },
  redeployService: {
    document: `mutation MRedeploy($id: ID!) { redeployService(id: $id) ${RESULT} }`,
    allowed: ['ADMIN', 'OPERATOR'],
    variables: () => ({ id: fx.serviceId }),
  },
  startBulkOperation: {
    document: `mutation MBulk($input: StartBulkOperationInput!) { startBulkOperation(input: $input) ${RESULT} }`,
    allowed: ['ADMIN', 'OPERATOR'],
    variables: () => ({ input: { kind: 'CHECK_SYNC', serviceIds: [fx.serviceId] } }),
  },
  cancelRun: {
    document: `mutation MCancel($id: ID!) { cancelRun(id: $id) ${RESULT} }`,
    allowed: ['ADMIN', 'OPERATOR', 'PARTNER'],
    variables: () => ({ id: fx.runId }),
  },
  rescheduleRun: {
    document: `mutation MReschedule($id: ID!, $at: DateTime!) { rescheduleRun(id: $id, notBefore: $at) ${RESULT} }`,
    allowed: ['ADMIN', 'OPERATOR', 'PARTNER'],
    variables: () => ({ id: fx.runId, at: new Date(Date.now() + 3_600_000).toISOString() }),
  },
  retryRun: {
    document: `mutation MRetry($id: ID!) { retryRun(id: $id) ${RESULT} }`,
    allowed: OPERATORS,
    variables: () => ({ id: fx.runId }),
  },
  pruneRunHistory: {
    document: `mutation MPrune { pruneRunHistory(olderThanDays: 36500) ${RESULT} }`,
    allowed: ['ADMIN'],
  },
  createApiKey: {
    document: `mutation MCreateKey($input: CreateApiKeyInput!) { createApiKey(input: $input) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: () => ({ input: { name: 'matrix', role: 'ADMIN' } }),
  },
  rotateApiKey: {
    document: `mutation MRotateKey($id: ID!) { rotateApiKey(id: $id) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: async (_role, allowed) => ({ id: allowed ? await throwawayKey() : operatorKeyId() }),
  },
  revokeApiKey: {
    document: `mutation MRevokeKey($id: ID!) { revokeApiKey(id: $id) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: async (_role, allowed) => ({ id: allowed ? await throwawayKey() : operatorKeyId() }),
  },
  createPartner: {
    document: `mutation MCreatePartner($input: CreatePartnerInput!) { createPartner(input: $input) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: () => ({ input: { slug: `matrix-${unique()}`, name: 'Matrix partner' } }),
  },
  grantProducts: {
    document: `mutation MGrant($partnerId: ID!, $productIds: [ID!]!) { grantProducts(partnerId: $partnerId, productIds: $productIds) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: () => ({ partnerId: fx.partnerId, productIds: [fx.productIds['fibre-broadband']] }),
  },
  revokeProducts: {
    document: `mutation MRevokeGrant($partnerId: ID!, $productIds: [ID!]!) { revokeProducts(partnerId: $partnerId, productIds: $productIds) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: () => ({ partnerId: fx.partnerId, productIds: [fx.productIds['fibre-broadband']] }),
  },
  registerTrustedDocuments: {
    document: `mutation MRegister($partnerId: ID!, $manifest: JSONObject!) { registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: () => ({ partnerId: fx.partnerId, manifest: { [documentId('query Extra { viewer { role } }')]: 'query Extra { viewer { role } }' } }),
  },
  removeTrustedDocuments: {
    document: `mutation MRemoveDocs($partnerId: ID!, $hashes: [String!]) { removeTrustedDocuments(partnerId: $partnerId, hashes: $hashes) ${RESULT} }`,
    allowed: ['ADMIN'],
    variables: () => ({ partnerId: fx.partnerId, hashes: [documentId('query Never { viewer { role } }')] }),
  },
};

describe('role matrix over HTTP', () => {
  beforeAll(async () => {
    await fx.trust([...Object.values(QUERIES), ...Object.values(MUTATIONS)].map((operation) => operation.document));
  });

  for (const [name, operation] of Object.entries(QUERIES)) {
    it(`query ${name}: ${operation.allowed.join(', ')} may, the others get ForbiddenError`, async () => {
      for (const role of ROLES) {
        const allowed = operation.allowed.includes(role);
        const { body } = await send(fx.endpoints[role], role, operation.document, (await operation.variables?.(role, allowed)) ?? {});
        const codes = (body.errors ?? []).map((error) => error.extensions?.code);
        if (allowed) {
          expect(codes, `${role} ${name}: ${JSON.stringify(body.errors)}`).toEqual([]);
          expect(body.data, `${role} ${name}`).toBeTruthy();
        } else {
          expect(codes, `${role} ${name}`).toContain('ForbiddenError');
        }
      }
    });
  }

  for (const [name, operation] of Object.entries(MUTATIONS)) {
    it(`mutation ${name}: ${operation.allowed.join(', ')} may, the others get ForbiddenError and nothing is written`, async () => {
      for (const role of ROLES) {
        const allowed = operation.allowed.includes(role);
        const variables = (await operation.variables?.(role, allowed)) ?? {};
        await settle(server.app.database.prisma);
        const before = await fingerprint(server.app.database.prisma);
        const { body } = await send(fx.endpoints[role], role, operation.document, variables);
        const payload = body.data?.[name] as { __typename: string; message?: string } | undefined;
        expect(body.errors, `${role} ${name}: ${JSON.stringify(body.errors)}`).toBeUndefined();
        if (allowed) {
          expect(payload?.__typename, `${role} ${name}: ${payload?.message}`).not.toBe('ForbiddenError');
        } else {
          expect(payload, `${role} ${name}`).toMatchObject({ __typename: 'ForbiddenError', message: expect.stringContaining(`Mutation.${name}`) });
          expect(await fingerprint(server.app.database.prisma), `${role} ${name} wrote something`).toBe(before);
        }
      }
    });
  }
});

type Transport = 'ws' | 'sse';
interface SubscriptionOutcome {
  data: unknown[];
  errors: Array<{ message: string; extensions?: { code?: string } }>;
}

/**
 * Runs a subscription until it completes, errors, or `until` says enough; a partner sends the
 * document's hash (graphql-ws: as an extension; SSE: as documentId), the others the text.
 */
function subscribe(endpoint: Endpoint, role: MatrixRole | 'OTHER_PARTNER', transport: Transport, document: string, variables: Record<string, unknown>, until: (data: unknown[]) => boolean) {
  const partnerLike = role === 'PARTNER' || role === 'OTHER_PARTNER';
  const outcome: SubscriptionOutcome = { data: [], errors: [] };
  return new Promise<SubscriptionOutcome>((resolve) => {
    let dispose = () => {};
    const finish = () => {
      dispose();
      resolve(outcome);
    };
    const sink = {
      next: (message: { data?: unknown; errors?: ReadonlyArray<unknown> }) => {
        if (message.errors) outcome.errors.push(...(message.errors as SubscriptionOutcome['errors']));
        if (message.data) outcome.data.push(message.data);
        if (message.errors || until(outcome.data)) finish();
      },
      error: (error: unknown) => {
        outcome.errors.push(...(Array.isArray(error) ? error : [{ message: String((error as { reason?: string }).reason ?? error) }]));
        finish();
      },
      complete: finish,
    };
    if (transport === 'ws') {
      const client = wsClient(endpoint, { lazyCloseTimeout: 0 });
      const payload = partnerLike ? { query: '', variables, extensions: { persistedQuery: { version: 1, sha256Hash: documentId(document) } } } : { query: document, variables };
      const unsubscribe = client.subscribe(payload, sink);
      dispose = () => {
        unsubscribe();
        void client.dispose();
      };
    } else {
      const client = sseClient(endpoint, { retryAttempts: 0 });
      const payload = partnerLike ? ({ query: '', documentId: documentId(document), variables } as { query: string }) : { query: document, variables };
      const unsubscribe = client.subscribe(payload, sink);
      dispose = () => {
        unsubscribe();
        client.dispose();
      };
    }
  });
}

const RUN_EVENTS = `subscription MRunEvents($runId: ID!) { runEvents(runId: $runId) { seq type } }`;
const RUN_UPDATED = `subscription MRunUpdated($runId: ID!) { runUpdated(runId: $runId) { status terminal } }`;
const POOL_CHANGED = `subscription MPoolChanged { inventoryPoolChanged(kind: PHONE_NUMBER) { kind available } }`;

describe('subscriptions are authorised like the queries they mirror, over WebSocket and SSE', () => {
  beforeAll(async () => {
    await fx.trust([RUN_EVENTS, RUN_UPDATED, POOL_CHANGED]);
  });

  for (const transport of ['ws', 'sse'] as const) {
    it(`runEvents and runUpdated of partner A's run over ${transport}: staff and partner A get the whole stream, partner B "not found"`, async () => {
      const { run } = await query(server, graphqlRunLastSeq, { id: fx.runId });
      for (const role of [...EVERYONE, 'OTHER_PARTNER'] as const) {
        const endpoint = role === 'OTHER_PARTNER' ? fx.otherPartner : fx.endpoints[role];
        const events = await subscribe(endpoint, role, transport, RUN_EVENTS, { runId: fx.runId }, () => false);
        const updates = await subscribe(endpoint, role, transport, RUN_UPDATED, { runId: fx.runId }, () => false);
        if (role === 'OTHER_PARTNER') {
          for (const outcome of [events, updates]) {
            expect(outcome.data, `${role} ${transport}`).toEqual([]);
            expect(outcome.errors.map((error) => error.extensions?.code)).toEqual(['NotFoundError']);
            expect(outcome.errors[0]!.message).toContain('was not found');
          }
        } else {
          expect(events.errors, `${role} ${transport}`).toEqual([]);
          expect(events.data, `${role} ${transport}`).toHaveLength(run!.lastSeq);
          expect(updates.errors).toEqual([]);
          expect(updates.data.at(-1)).toEqual({ runUpdated: { status: 'SUCCEEDED', terminal: true } });
        }
      }
    });

    it(`inventoryPoolChanged over ${transport}: staff only; a partner gets ForbiddenError`, async () => {
      for (const role of EVERYONE) {
        const outcome = subscribe(fx.endpoints[role], role, transport, POOL_CHANGED, {}, (data) => data.length > 0);
        if (role === 'PARTNER') {
          const denied = await outcome;
          expect(denied.data).toEqual([]);
          expect(denied.errors.map((error) => error.extensions?.code)).toEqual(['ForbiddenError']);
          continue;
        }
        // A subscription starts asynchronously: change the pool until the first message arrives.
        let settled = false;
        void outcome.then(() => (settled = true));
        for (let attempt = 0; attempt < 50 && !settled; attempt++) {
          await query(server, AddInventoryMutation, { items: [{ kind: 'PHONE_NUMBER', identifier: `+4420777${String(attempt).padStart(2, '0')}${Math.floor(Math.random() * 1000)}` }] });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const allowed = await outcome;
        expect(allowed.errors, `${role} ${transport}`).toEqual([]);
        expect(allowed.data[0]).toMatchObject({ inventoryPoolChanged: { kind: 'PHONE_NUMBER' } });
      }
    });
  }
});

const graphqlRunLastSeq = graphql(`query MatrixRunLastSeq($id: ID!) { run(id: $id) { lastSeq } }`);

describe('partners see only their own slice', () => {
  const LOOKUPS = `query MLookups($serviceId: ID!, $runId: ID!) {
    service(id: $serviceId) { id } run(id: $runId) { id } node(id: $runId) { id }
    services { totalCount } runs { totalCount } products { nodes { slug } }
  }`;
  const ACTIONS = `mutation MPartnerActions($serviceId: ID!, $runId: ID!) {
    deprovisionService(id: $serviceId) { __typename }
    cancelRun(id: $runId) { __typename }
  }`;
  const PROVISION_OTHER = `mutation MPartnerProvisionOther($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on Error { message } } }`;
  const OWN = `query MOwn($runId: ID!) { run(id: $runId) { id log service { customerRef inventoryItems { kind identifier secretAttributesSet } } } }`;

  beforeAll(async () => {
    await fx.trust([LOOKUPS, ACTIONS, PROVISION_OTHER, OWN]);
  });

  it('another partner\'s service, run and node are "not found" (null), its lists hold only its own', async () => {
    const { body } = await send(fx.otherPartner, 'OTHER_PARTNER', LOOKUPS, { serviceId: fx.serviceId, runId: fx.runId });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ service: null, run: null, node: null, services: { totalCount: 0 }, runs: { totalCount: 0 }, products: { nodes: [{ slug: 'voip-line' }] } });
    const own = await send(fx.endpoints.PARTNER, 'PARTNER', LOOKUPS, { serviceId: fx.serviceId, runId: fx.runId });
    expect(own.body.data).toMatchObject({ service: { id: fx.serviceId }, run: { id: fx.runId }, node: { id: fx.runId }, services: { totalCount: 1 } });
    expect((own.body.data!['products'] as { nodes: Array<{ slug: string }> }).nodes.map((product) => product.slug).sort()).toEqual(['mobile-sim-plan', 'voip-line']);
  });

  it('keys and partners are found by id only by admins', async () => {
    const lookup = `query MKeyNode($id: ID!) { node(id: $id) { id } }`;
    await fx.trust([lookup]);
    for (const role of ROLES) {
      const { body } = await send(fx.endpoints[role], role, lookup, { id: fx.operatorKeyId });
      expect(body.errors, role).toBeUndefined();
      expect(body.data, role).toEqual({ node: role === 'ADMIN' ? { id: fx.operatorKeyId } : null });
    }
  });

  it('acting on another partner\'s service or run is NotFound and writes nothing', async () => {
    await settle(server.app.database.prisma);
    const before = await fingerprint(server.app.database.prisma);
    const { body } = await send(fx.otherPartner, 'OTHER_PARTNER', ACTIONS, { serviceId: fx.serviceId, runId: fx.runId });
    expect(body.data).toEqual({ deprovisionService: { __typename: 'NotFoundError' }, cancelRun: { __typename: 'NotFoundError' } });
    expect(await fingerprint(server.app.database.prisma)).toBe(before);
  });

  it('a product not granted is not found, and partners cannot pick inventory items', async () => {
    const ungranted = await send(fx.otherPartner, 'OTHER_PARTNER', PROVISION_OTHER, {
      input: { productSlug: 'mobile-sim-plan', customerRef: 'b-1', variables: { apn: 'internet' } },
    });
    expect(ungranted.body.data).toEqual({ provisionService: { __typename: 'NotFoundError', message: 'Product mobile-sim-plan was not found' } });
    const item = (await query(server, InventoryQuery, { filter: { kind: 'PHONE_NUMBER', status: 'AVAILABLE' }, first: 1 })).inventoryItems.nodes[0]!;
    const picked = await send(fx.otherPartner, 'OTHER_PARTNER', PROVISION_OTHER, {
      input: { productSlug: 'voip-line', customerRef: 'b-2', inventoryItemIds: [item.id], variables: { caller_id_name: 'B', sip_password: 'partner-b-secret-pw' } },
    });
    expect(picked.body.data).toMatchObject({ provisionService: { __typename: 'ValidationError', message: expect.stringContaining('partners cannot choose inventory items') } });
  });

  it('a partner reads its own run\'s log and items, never their secrets', async () => {
    const { body } = await send(fx.endpoints.PARTNER, 'PARTNER', OWN, { runId: fx.runId });
    expect(body.errors).toBeUndefined();
    const run = body.data!['run'] as { log: string; service: { customerRef: string; inventoryItems: Array<{ kind: string }> } };
    expect(run.service.customerRef).toBe('partner-a-customer');
    expect(run.service.inventoryItems).toEqual([expect.objectContaining({ kind: 'PHONE_NUMBER' })]);
    expect(run.log.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain('partner-a-secret-pw');
  });

  it('partner keys run only registered documents, over every transport', async () => {
    const raw = await send(fx.endpoints.PARTNER, 'ADMIN', `query Raw { viewer { role } }`);
    expect(raw.status).toBe(403);
    expect(raw.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    const unknown = await send(fx.endpoints.PARTNER, 'PARTNER', `query NeverRegistered { viewer { role } }`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // Partner B's documents are its own: one registered for A only is unknown to B.
    const onlyForA = `query OnlyForA { viewer { keyName } }`;
    await query(server, graphql(`mutation RegisterForA($partnerId: ID!, $manifest: JSONObject!) { registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) { __typename } }`), {
      partnerId: fx.partnerId,
      manifest: { [documentId(onlyForA)]: onlyForA },
    });
    expect((await send(fx.endpoints.PARTNER, 'PARTNER', onlyForA)).status).toBe(200);
    expect((await send(fx.otherPartner, 'OTHER_PARTNER', onlyForA)).status).toBe(404);
    for (const transport of ['ws', 'sse'] as const) {
      const rawSubscription = await subscribe(fx.endpoints.PARTNER, 'ADMIN', transport, RUN_EVENTS, { runId: fx.runId }, () => false);
      expect(rawSubscription.data).toEqual([]);
      // graphql-ws reports the GraphQL error; graphql-sse only the HTTP status (403) of the refused request.
      expect(rawSubscription.errors[0]?.extensions?.code ?? rawSubscription.errors[0]?.message).toMatch(transport === 'ws' ? /^PERSISTED_QUERY_ONLY$/ : /responded with 403/);
    }
  });
});

it('every root field declares who may use it', async () => {
  const { schema } = await import('../src/schema/index.ts');
  const undeclared: string[] = [];
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.values(type!.getFields())) {
      const options = field.extensions?.['pothosOptions'] as { authScopes?: unknown } | undefined;
      if (!options?.authScopes) undeclared.push(`${type!.name}.${field.name}`);
    }
  }
  expect(undeclared).toEqual([]);
});
