import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productDefinition } from '../src/domain/catalog/products.ts';
import { openProductSecrets } from '../src/domain/secrets/box.ts';
import { graphql } from './gql/gql.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { authorization, query, request } from './support/client.ts';
import { AddInventoryMutation, CreateProductMutation, InventoryQuery, PoolsQuery, ProductsQuery } from './support/documents.ts';

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp({}, { demo: true });
});
afterAll(async () => {
  await server?.close();
});

const validProduct = {
  slug: 'test-plan',
  name: 'Test plan',
  provisionPlaybook: 'voip-line/provision.yml',
  deprovisionPlaybook: 'voip-line/deprovision.yml',
  defaultVariables: { voicemail: false, pin: '1234' },
  variableSchema: {
    type: 'object',
    properties: {
      voicemail: { type: 'boolean' },
      pin: { type: 'string', secret: true, default: 'schema-default-pin' },
      tier: { type: 'string', enum: ['gold', 'silver'], default: 'silver' },
    },
    required: ['tier'],
  },
  inventoryRequirements: [{ kind: 'PHONE_NUMBER' as const, count: 1 }],
  runTimeoutSeconds: 120,
};

async function productCount(): Promise<number> {
  const data = await query(server, ProductsQuery, { includeArchived: true });
  return data.products.totalCount;
}

describe('products', () => {
  it('lists the demo products with their requirements', async () => {
    const data = await query(server, ProductsQuery, {});
    expect(data.products.nodes.map((p) => p.slug)).toEqual(['fibre-broadband', 'mobile-sim-plan', 'voip-line']);
    const mobile = data.products.nodes.find((p) => p.slug === 'mobile-sim-plan');
    expect(mobile?.inventoryRequirements).toEqual([
      { kind: 'SIM', count: 1, match: {} },
      { kind: 'PHONE_NUMBER', count: 1, match: {} },
    ]);
  });

  it('creates a product, masks secret defaults, and finds it by slug and by node id', async () => {
    const result = await query(server, CreateProductMutation, { input: validProduct });
    if (result.createProduct.__typename !== 'CreateProductSuccess') throw new Error(JSON.stringify(result));
    const product = result.createProduct.product;
    expect(product.defaultVariables).toEqual({ voicemail: false, pin: '********' });
    expect(product.secretVariables).toEqual(['pin']);
    expect(JSON.stringify(product)).not.toContain('schema-default-pin');
    expect(product.variableSchema).toMatchObject({ properties: { pin: { type: 'string', secret: true, default: '********' } } });

    const bySlug = await query(server, graphql(`query ProductBySlug($slug: String!) { product(slug: $slug) { id name } }`), { slug: 'test-plan' });
    expect(bySlug.product?.id).toBe(product.id);
    const byNode = await query(server, graphql(`query NodeById($id: ID!) { node(id: $id) { __typename ... on Product { slug } } }`), { id: product.id });
    expect(byNode.node).toEqual({ __typename: 'Product', slug: 'test-plan' });
  });

  it('rejects a taken slug with a ConflictError', async () => {
    const before = await productCount();
    const result = await query(server, CreateProductMutation, { input: { ...validProduct, name: 'Other name' } });
    expect(result.createProduct.__typename).toBe('ConflictError');
    expect(await productCount()).toBe(before);
  });

  it.each([
    ['../../etc/passwd', 'must not contain ".."'],
    ['/etc/ansible/site.yml', 'not an absolute path'],
    ['voip-line/missing.yml', 'no playbook named'],
    ['voip-line/provision.txt', 'must end in .yml'],
  ])('rejects the playbook name %s and writes nothing', async (name, message) => {
    const before = await productCount();
    const result = await query(server, CreateProductMutation, { input: { ...validProduct, slug: 'bad-playbook', provisionPlaybook: name } });
    if (result.createProduct.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
    expect(result.createProduct.issues).toEqual([{ path: 'provisionPlaybook', message: expect.stringContaining(message) }]);
    expect(await productCount()).toBe(before);
  });

  it('reports every problem of a bad product at once', async () => {
    const result = await query(server, CreateProductMutation, {
      input: {
        ...validProduct,
        slug: 'Bad Slug',
        variableSchema: { type: 'object', properties: { speed: { type: 'fast' } }, required: ['missing'] },
        inventoryRequirements: [{ kind: 'SIM', count: 0 }],
      },
    });
    if (result.createProduct.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
    const paths = result.createProduct.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['slug', 'inventoryRequirements.0.count', 'variableSchema.properties.speed.type']));
  });

  it('rejects defaults that do not fit the variable schema', async () => {
    const result = await query(server, CreateProductMutation, {
      input: { ...validProduct, slug: 'bad-defaults', defaultVariables: { voicemail: 'yes', unknown_var: 1 } },
    });
    if (result.createProduct.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
    expect(result.createProduct.issues.map((issue) => issue.path).sort()).toEqual(['defaultVariables.unknown_var', 'defaultVariables.voicemail']);
  });

  it('updates and archives a product; unknown ids are typed NotFoundErrors', async () => {
    const { product } = await query(server, graphql(`query Voip { product(slug: "voip-line") { id } }`));
    const update = graphql(`
      mutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {
        updateProduct(id: $id, input: $input) {
          __typename
          ... on UpdateProductSuccess { product { name runTimeoutSeconds } }
          ... on NotFoundError { entity reference }
          ... on ValidationError { issues { path message } }
        }
      }
    `);
    const updated = await query(server, update, { id: product!.id, input: { name: 'VoIP line (business)', runTimeoutSeconds: null } });
    expect(updated.updateProduct).toEqual({ __typename: 'UpdateProductSuccess', product: { name: 'VoIP line (business)', runTimeoutSeconds: null } });

    const invalid = await query(server, update, { id: product!.id, input: { deprovisionPlaybook: '../x.yml' } });
    expect(invalid.updateProduct.__typename).toBe('ValidationError');

    const missingId = Buffer.from('Product:00000000-0000-4000-8000-000000000000').toString('base64');
    const missing = await query(server, update, { id: missingId, input: { name: 'x' } });
    expect(missing.updateProduct).toMatchObject({ __typename: 'NotFoundError', entity: 'Product' });

    const archive = graphql(`mutation Archive($id: ID!) { archiveProduct(id: $id) { __typename ... on ArchiveProductSuccess { product { archived } } } }`);
    expect((await query(server, archive, { id: product!.id })).archiveProduct).toEqual({ __typename: 'ArchiveProductSuccess', product: { archived: true } });
    const listed = await query(server, ProductsQuery, {});
    expect(listed.products.nodes.map((p) => p.slug)).not.toContain('voip-line');
  });

  it('never loses a concurrent update\'s fields, and refuses a stale expectedVersion', async () => {
    const { product } = await query(server, graphql(`query Fibre { product(slug: "fibre-broadband") { id version } }`));
    const update = graphql(`
      mutation UpdateVersioned($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int) {
        updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion) {
          __typename
          ... on UpdateProductSuccess { product { name description provisionPlaybook version } }
          ... on ConflictError { message }
        }
      }
    `);
    // The playbook change waits for a syntax check (an ansible-playbook process); the name change
    // lands meanwhile. Both must survive.
    const [slow, fast] = await Promise.all([
      query(server, update, { id: product!.id, input: { provisionPlaybook: 'fibre-broadband/deprovision.yml' } }),
      query(server, update, { id: product!.id, input: { name: 'Fibre broadband (renamed)' } }),
    ]);
    expect(slow.updateProduct.__typename).toBe('UpdateProductSuccess');
    expect(fast.updateProduct.__typename).toBe('UpdateProductSuccess');
    const after = await query(server, graphql(`query FibreAfter { product(slug: "fibre-broadband") { name provisionPlaybook version } }`));
    expect(after.product).toEqual({ name: 'Fibre broadband (renamed)', provisionPlaybook: 'fibre-broadband/deprovision.yml', version: product!.version + 2 });
    const stale = await query(server, update, { id: product!.id, input: { description: 'stale' }, expectedVersion: product!.version });
    expect(stale.updateProduct).toMatchObject({ __typename: 'ConflictError', message: expect.stringContaining(`changed since version ${product!.version}`) });
    const fresh = await query(server, update, { id: product!.id, input: { description: 'fresh' }, expectedVersion: after.product!.version });
    expect(fresh.updateProduct).toMatchObject({ __typename: 'UpdateProductSuccess', product: { description: 'fresh', version: after.product!.version + 1 } });
  });

  it('never stores the mask as a secret: a read-modify-write keeps the secrets, a mask alone is refused', async () => {
    const input = {
      slug: 'masked-secrets',
      name: 'Masked secrets',
      provisionPlaybook: 'voip-line/provision.yml',
      deprovisionPlaybook: 'voip-line/deprovision.yml',
      variableSchema: {
        type: 'object',
        properties: {
          api_token: { type: 'string', secret: true, default: 'schema-default-secret' },
          radius_secret: { type: 'string', secret: true },
          caller_id_name: { type: 'string' },
          sip_password: { type: 'string', secret: true },
        },
      },
      defaultVariables: { radius_secret: 'product-default-secret' },
    };
    const created = await query(server, CreateProductMutation, { input });
    if (created.createProduct.__typename !== 'CreateProductSuccess') throw new Error(JSON.stringify(created.createProduct));
    const { product } = created.createProduct;
    expect(product.defaultVariables).toEqual({ radius_secret: '********' });
    const update = graphql(`
      mutation UpdateMasked($id: ID!, $input: UpdateProductInput!) {
        updateProduct(id: $id, input: $input) { __typename ... on ValidationError { issues { path message } } }
      }
    `);
    // What a form would do: send back everything it read, with one change.
    const readBack = await query(server, update, { id: product.id, input: { name: 'Masked secrets (edited)', variableSchema: product.variableSchema, defaultVariables: product.defaultVariables } });
    expect(readBack.updateProduct.__typename).toBe('UpdateProductSuccess');
    const row = await server.app.database.prisma.product.findUniqueOrThrow({ where: { slug: 'masked-secrets' } });
    const stored = openProductSecrets(server.app.context.secrets, productDefinition(row));
    expect(stored.defaultVariables).toEqual({ radius_secret: 'product-default-secret' });
    expect(stored.variableSchema.properties['api_token']?.default).toBe('schema-default-secret');

    const maskOnly = await query(server, CreateProductMutation, {
      input: { ...input, slug: 'mask-only', defaultVariables: { radius_secret: '********' }, variableSchema: { ...input.variableSchema, properties: { ...input.variableSchema.properties, api_token: { type: 'string', secret: true, default: '********' } } } },
    });
    expect(maskOnly.createProduct).toMatchObject({
      __typename: 'ValidationError',
      issues: expect.arrayContaining([
        expect.objectContaining({ path: 'variableSchema.properties.api_token.default', message: expect.stringContaining('not a value') }),
        expect.objectContaining({ path: 'defaultVariables.radius_secret' }),
      ]),
    });
    const provisioned = await query(server, graphql(`mutation ProvisionMasked($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ValidationError { issues { path } } } }`), {
      input: { productSlug: 'voip-line', customerRef: 'masked', variables: { caller_id_name: 'Masked', sip_password: '********' } },
    });
    expect(provisioned.provisionService).toEqual({ __typename: 'ValidationError', issues: [{ path: 'variables.sip_password' }] });
  });

  it('lists playbooks for product forms', async () => {
    const data = await query(server, graphql(`query Playbooks { playbooks { name sizeBytes } }`));
    expect(data.playbooks.map((p) => p.name)).toEqual(expect.arrayContaining(['mobile-sim-plan/provision.yml', 'voip-line/deprovision.yml']));
  });
});

describe('inventory', () => {
  it('adds items, hides secret attributes, and counts pools', async () => {
    const before = await query(server, PoolsQuery);
    const result = await query(server, AddInventoryMutation, {
      items: [
        { kind: 'SIM', identifier: '8944 1000 0000 0000 0018', attributes: { imsi: '262019999000001', ki: '00112233445566778899aabbccddeeff', opc: 'ffeeddccbbaa99887766554433221100' } },
        { kind: 'IP_BLOCK', identifier: '2001:db8:100::/56' },
        { kind: 'MODEM', identifier: 'ont-test-1', attributes: { mac: '02-00-5E-10-00-01', model: 'X1' } },
      ],
    });
    expect(result.addInventoryItems).toEqual({ __typename: 'AddInventoryItemsSuccess', added: 3 });
    const sims = await query(server, InventoryQuery, { filter: { kind: 'SIM', search: '894410' } });
    expect(sims.inventoryItems.nodes).toEqual([
      expect.objectContaining({ identifier: '89441000000000000018', attributes: { imsi: '262019999000001' }, secretAttributesSet: ['ki', 'opc'], status: 'AVAILABLE' }),
    ]);
    const modem = await query(server, InventoryQuery, { filter: { kind: 'MODEM', search: 'ONT-TEST' } });
    expect(modem.inventoryItems.nodes[0]).toMatchObject({ identifier: 'ONT-TEST-1', attributes: { mac: '02:00:5e:10:00:01', model: 'X1' } });
    const after = await query(server, PoolsQuery);
    const available = (data: typeof after, kind: string) => data.inventoryPools.find((p) => p.kind === kind)?.available;
    expect(available(after, 'SIM')).toBe(available(before, 'SIM')! + 1);
    expect(available(after, 'IP_BLOCK')).toBe(available(before, 'IP_BLOCK')! + 1);
  });

  it('rejects a batch with bad rows as a whole and reports each row', async () => {
    const before = await query(server, InventoryQuery, { first: 1 });
    const result = await query(server, AddInventoryMutation, {
      items: [
        { kind: 'PHONE_NUMBER', identifier: '+4930123456' },
        { kind: 'PHONE_NUMBER', identifier: '030 123456' },
        { kind: 'PHONE_NUMBER', identifier: '+49 30 123456' },
        { kind: 'IP_BLOCK', identifier: '10.0.0.300/24' },
        { kind: 'IP_BLOCK', identifier: '10.0.0.1/24' },
        { kind: 'SIM', identifier: '89441000000000000014' },
        { kind: 'SIM', identifier: '89441000000000000026', attributes: { imsi: '262019999000002', ki: 'not-hex' } },
        { kind: 'PHONE_NUMBER', identifier: '+49305550100' },
      ],
    });
    if (result.addInventoryItems.__typename !== 'InventoryImportError') throw new Error(JSON.stringify(result));
    const rows = result.addInventoryItems.rows;
    expect(rows.map((row) => row.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows[0]!.message).toContain('E.164');
    expect(rows[1]!.message).toContain('duplicate of row 0');
    expect(rows[2]!.message).toContain('CIDR');
    expect(rows[3]!.message).toContain('host bits are set');
    expect(rows[4]!.message).toContain('Luhn');
    expect(rows[5]!.message).toContain('attributes.ki');
    expect(rows[6]!.message).toContain('already exists');
    const after = await query(server, InventoryQuery, { first: 1 });
    expect(after.inventoryItems.totalCount).toBe(before.inventoryItems.totalCount);
  });

  it('adds 10,000 items in one call and refuses 10,001', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ kind: 'PHONE_NUMBER' as const, identifier: `+447700${String(i).padStart(6, '0')}` }));
    expect((await query(server, AddInventoryMutation, { items })).addInventoryItems).toEqual({ __typename: 'AddInventoryItemsSuccess', added: 10_000 });
    const tooMany = await query(server, AddInventoryMutation, { items: [...items, { kind: 'PHONE_NUMBER', identifier: '+447799999999' }] });
    expect(tooMany.addInventoryItems).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'items', message: expect.stringContaining('at most 10000') }] });
  });

  it('retires available items and releases only quarantined ones', async () => {
    const { inventoryItems } = await query(server, InventoryQuery, { filter: { kind: 'PHONE_NUMBER', status: 'AVAILABLE' }, first: 2 });
    const [first, second] = inventoryItems.nodes;
    const release = graphql(`
      mutation Release($id: ID!) {
        releaseInventoryItem(id: $id) {
          __typename
          ... on ReleaseInventoryItemSuccess { item { status statusReason } }
          ... on InvalidStateError { currentState message }
          ... on NotFoundError { entity }
        }
      }
    `);
    expect((await query(server, release, { id: first!.id })).releaseInventoryItem).toMatchObject({ __typename: 'InvalidStateError', currentState: 'AVAILABLE' });

    // Quarantine happens through failed runs; set it directly here to test the operator action alone.
    const [, rawId] = Buffer.from(second!.id, 'base64').toString().split(':');
    await server.app.context.prisma.inventoryItem.update({ where: { id: rawId }, data: { status: 'QUARANTINED', statusReason: 'rollback failed' } });
    expect((await query(server, release, { id: second!.id })).releaseInventoryItem).toEqual({
      __typename: 'ReleaseInventoryItemSuccess',
      item: { status: 'AVAILABLE', statusReason: 'released by operator' },
    });

    const retire = graphql(`mutation Retire($id: ID!) { retireInventoryItem(id: $id, reason: "damaged") { __typename ... on RetireInventoryItemSuccess { item { status statusReason } } } }`);
    expect((await query(server, retire, { id: first!.id })).retireInventoryItem).toEqual({
      __typename: 'RetireInventoryItemSuccess',
      item: { status: 'RETIRED', statusReason: 'damaged' },
    });
    const productId = (await query(server, ProductsQuery, {})).products.nodes[0]!.id;
    expect((await query(server, release, { id: productId })).releaseInventoryItem).toMatchObject({ __typename: 'NotFoundError', entity: 'InventoryItem' });
  });
});

describe('bad requests', () => {
  it('answers malformed GraphQL with 400 and a syntax error', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...authorization(server) },
      body: JSON.stringify({ query: '{ products { nodes { slug }' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]!.message).toContain('Syntax Error');
  });

  it('rejects an unknown enum value (wrong kind) before anything runs', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...authorization(server) },
      body: JSON.stringify({
        query: 'mutation($items: [NewInventoryItemInput!]!) { addInventoryItems(items: $items) { __typename } }',
        variables: { items: [{ kind: 'ROUTER', identifier: 'x' }] },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]!.message).toMatch(/ROUTER.*InventoryKind|InventoryKind.*ROUTER/);
  });

  it('takes the raw UUIDs logs show as well as global ids', async () => {
    const { product } = await query(server, graphql(`query MobileId { product(slug: "mobile-sim-plan") { id } }`));
    const rawId = Buffer.from(product!.id, 'base64').toString().split(':')[1]!;
    const lookup = graphql(`query RawIds($id: ID!) { node(id: $id) { id } service(id: $id) { id } }`);
    const answer = await request(server, lookup, { id: rawId });
    expect(answer.errors).toBeUndefined();
    // A raw UUID names no type: node() cannot tell, typed fields take it as their own type.
    expect(answer.data).toEqual({ node: null, service: null });
    const archive = graphql(`mutation ArchiveRaw($id: ID!) { archiveProduct(id: $id) { __typename ... on ArchiveProductSuccess { product { id slug } } } }`);
    expect((await query(server, archive, { id: rawId })).archiveProduct).toEqual({ __typename: 'ArchiveProductSuccess', product: { id: product!.id, slug: 'mobile-sim-plan' } });
  });

  it('returns null for unknown or foreign ids in lookups, and a typed error for garbled ones', async () => {
    const lookup = graphql(`query ServiceLookup($id: ID!) { service(id: $id) { id } run(id: $id) { id } }`);
    const productId = (await query(server, ProductsQuery, {})).products.nodes[0]!.id;
    expect(await query(server, lookup, { id: productId })).toEqual({ service: null, run: null });
    const garbage = await request(server, lookup, { id: 'not-a-global-id' });
    expect(garbage.data ?? null).toBeNull();
    expect(garbage.errors).toEqual([
      expect.objectContaining({ message: 'Invalid input: id: "not-a-global-id" is not an id this API issued', extensions: { code: 'ValidationError' } }),
    ]);
  });

  it('serves health and readiness', async () => {
    const base = server.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true });
  });
});
