import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { createKey, setUpPartner } from './support/access.ts';
import type { Endpoint } from './support/client.ts';
import { provision, waitForRun } from './support/runs.ts';
import { specProblems } from '../src/tmf/validation.ts';
import { openApiDocument } from '../src/tmf/openapi.ts';

// The TMF read APIs over a real server: TMF633 (service specifications from products) and TMF638
// (services), with TMF630's conventions and the same keys, partner scoping and rate limits as
// GraphQL.

const CATALOG = '/tmf-api/serviceCatalogManagement/v4/serviceSpecification';
const INVENTORY = '/tmf-api/serviceInventory/v4/service';
const PARTNER_RATE_LIMIT = 40;

let server: TestApp;
let partner: Endpoint & { partnerId: string };
const services: Array<{ id: string; slug: string; customerRef: string }> = [];

/** A TMF resource or error as JSON, read loosely (the assertions say what it must hold). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are read loosely by design
type Resource = Record<string, any>;

/** A GET with the endpoint's key; the body parsed, the headers as they came. */
async function get(endpoint: Endpoint | { url: string; key?: string }, path: string) {
  const response = await fetch(new URL(path, endpoint.url), { headers: endpoint.key ? { authorization: `Bearer ${endpoint.key}` } : {} });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are read loosely by design
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

/** The raw id of a GraphQL global id ("Service:<uuid>", base64): TMF ids are the UUIDs themselves. */
const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

beforeAll(async () => {
  server = await startTestApp({ partnerRateLimitPerMinute: PARTNER_RATE_LIMIT }, { demo: true });
  partner = await setUpPartner(server, 'tmf-reader', ['voip-line']);
  for (const [slug, customerRef, variables] of [
    ['voip-line', 'tmf-voip', { caller_id_name: 'TMF Line', sip_password: 'tmf-secret-password' }],
    ['fibre-broadband', 'tmf-fibre', {}],
  ] as const) {
    const started = await provision(server, { productSlug: slug, customerRef, variables });
    expect((await waitForRun(server, started.runId)).status).toBe('SUCCEEDED');
    services.push({ id: rawId(started.serviceId!), slug, customerRef });
  }
});
afterAll(async () => {
  await server?.close();
});

describe('TMF633 serviceSpecification', () => {
  it('lists the products as specifications, each with an href that answers and a secret marked without a value', async () => {
    const list = await get(server, CATALOG);
    expect(list.status).toBe(200);
    expect(list.headers.get('x-total-count')).toBe('3');
    expect(list.headers.get('x-result-count')).toBe('3');
    const voip = list.body.find((spec: Resource) => spec.name === 'VoIP line');
    expect(voip).toMatchObject({ '@type': 'ProvisioServiceSpecification', '@baseType': 'ServiceSpecification', lifecycleStatus: 'Active', version: '1', isBundle: false });
    expect(voip.resourceSpecification).toEqual([{ id: 'PHONE_NUMBER', name: 'PHONE_NUMBER', '@referredType': 'ResourceSpecification' }]);
    expect(voip.serviceActions.map((action: Resource) => action.name)).toEqual(expect.arrayContaining(['add-number', 'remove-number']));
    const password = voip.specCharacteristic.find((characteristic: Resource) => characteristic.name === 'sip_password');
    expect(password).toMatchObject({ secret: true, minCardinality: 1, characteristicValueSpecification: [] });
    const byHref = await get(server, voip.href);
    expect(byHref).toMatchObject({ status: 200, body: voip });
    for (const spec of list.body) expect(specProblems('serviceCatalog', 'ServiceSpecification', spec)).toEqual([]);
  });

  it('selects fields, filters, sorts and answers unknown ids and filters with a TMF error', async () => {
    const none = await get(server, `${CATALOG}?fields=none`);
    expect(none.body.map((spec: Resource) => Object.keys(spec).sort())).toEqual(none.body.map(() => ['@type', 'href', 'id']));
    const named = await get(server, `${CATALOG}?fields=name&sort=-name`);
    expect(named.body.map((spec: Resource) => spec.name)).toEqual(['VoIP line', 'Mobile SIM plan', 'Fibre broadband']);
    expect((await get(server, `${CATALOG}?name=VoIP%20line,Fibre%20broadband`)).body).toHaveLength(2);
    expect((await get(server, `${CATALOG}?lifecycleStatus=Retired`)).body).toEqual([]);
    expect((await get(server, `${CATALOG}?lastUpdate.gt=2000-01-01T00:00:00Z`)).body).toHaveLength(3);
    expect(await get(server, `${CATALOG}?lastUpdate.gt=yesterday`)).toMatchObject({ status: 400, body: { '@type': 'Error', status: '400', message: expect.stringContaining('date-time') } });
    expect(await get(server, `${CATALOG}?colour=red`)).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST', message: expect.stringContaining('cannot filter by "colour"') } });
    expect(await get(server, `${CATALOG}/00000000-0000-4000-8000-000000000000`)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', reason: 'Not found', status: '404', '@type': 'Error' } });
    expect(await get(server, `${CATALOG}/not-an-id`)).toMatchObject({ status: 404 });
  });
});

describe('TMF638 service', () => {
  it('shows services with their state, specification, characteristics (no secret) and supporting resources', async () => {
    const voip = services.find((service) => service.slug === 'voip-line')!;
    const { status, body } = await get(server, `${INVENTORY}/${voip.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: voip.id,
      '@type': 'Service',
      state: 'active',
      isServiceEnabled: true,
      serviceType: 'voip-line',
      serviceSpecification: { name: 'VoIP line', '@referredType': 'ServiceSpecification' },
      relatedParty: [{ id: 'tmf-voip', role: 'Customer' }],
    });
    expect(body.href).toBe(new URL(`${INVENTORY}/${voip.id}`, server.url).href);
    expect(body.serviceCharacteristic).toEqual(expect.arrayContaining([{ name: 'caller_id_name', valueType: 'string', value: 'TMF Line' }]));
    expect(JSON.stringify(body)).not.toContain('tmf-secret-password');
    expect(body.supportingResource).toEqual([expect.objectContaining({ name: expect.stringMatching(/^\+\d+$/), '@referredType': 'LogicalResource' })]);
    expect((await get(server, body.serviceSpecification.href)).status).toBe(200);
    expect(specProblems('serviceInventory', 'Service', body)).toEqual([]);
  });

  it('pages with 206 and the counts, filters by state, customer and specification, and selects fields', async () => {
    const page = await get(server, `${INVENTORY}?limit=1&sort=startDate`);
    expect(page.status).toBe(206);
    expect([page.headers.get('x-total-count'), page.headers.get('x-result-count')]).toEqual(['2', '1']);
    expect(page.body[0].id).toBe(services[0]!.id);
    const rest = await get(server, `${INVENTORY}?offset=1&limit=1&sort=startDate`);
    expect(rest.body.map((service: Resource) => service.id)).toEqual([services[1]!.id]);
    expect((await get(server, `${INVENTORY}?state=active`)).body).toHaveLength(2);
    expect((await get(server, `${INVENTORY}?state=terminated,inactive`)).body).toEqual([]);
    expect(await get(server, `${INVENTORY}?state=running`)).toMatchObject({ status: 400, body: { message: expect.stringContaining('unknown state running') } });
    expect((await get(server, `${INVENTORY}?relatedParty.id=tmf-fibre`)).body.map((service: Resource) => service.id)).toEqual([services[1]!.id]);
    const spec = (await get(server, `${CATALOG}?name=VoIP%20line&fields=id`)).body[0].id;
    expect((await get(server, `${INVENTORY}?serviceSpecification.id=${spec}`)).body.map((service: Resource) => service.id)).toEqual([services[0]!.id]);
    const slim = await get(server, `${INVENTORY}?fields=id,state`);
    expect(slim.body.map((service: Resource) => Object.keys(service).sort())).toEqual([['@type', 'href', 'id', 'state'], ['@type', 'href', 'id', 'state']]);
  });
});

describe('TMF OpenAPI documents', () => {
  it('serves each API\'s document: the operations Provisio implements, on its base path', async () => {
    for (const [api, base] of [['serviceOrdering', '/tmf-api/serviceOrdering/v4'], ['serviceInventory', '/tmf-api/serviceInventory/v4'], ['serviceCatalog', '/tmf-api/serviceCatalogManagement/v4']] as const) {
      const served = await get(server, `${base}/openapi.json`);
      expect(served.status).toBe(200);
      expect(served.body).toEqual(JSON.parse(JSON.stringify(openApiDocument(api))));
      expect(served.body.basePath).toBe(base);
    }
  });
});

describe('TMF access', () => {
  it('refuses a request without a valid key with 401 and the TMF error body', async () => {
    const anonymous = await get({ url: server.url }, CATALOG);
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED', '@type': 'Error', status: '401' } });
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect((await get({ url: server.url, key: 'not-a-key' }, INVENTORY)).status).toBe(401);
  });

  it('lets a viewer read, and a partner see only its granted specifications and its own services', async () => {
    const viewer = await createKey(server, 'VIEWER');
    expect((await get(viewer, INVENTORY)).body).toHaveLength(2);

    expect((await get(partner, CATALOG)).body.map((spec: Resource) => spec.name)).toEqual(['VoIP line']);
    const fibreSpec = (await get(server, `${CATALOG}?name=Fibre%20broadband&fields=id`)).body[0].id;
    expect((await get(partner, `${CATALOG}/${fibreSpec}`)).status).toBe(404);
    // The operator's services are not the partner's, even of a product granted to it.
    expect((await get(partner, INVENTORY)).body).toEqual([]);
    expect((await get(partner, `${INVENTORY}/${services[0]!.id}`)).status).toBe(404);
  });

  it('counts a partner key\'s TMF requests against its rate limit, and answers 429 with Retry-After', async () => {
    const limited = await setUpPartner(server, 'tmf-limited', ['voip-line']);
    let last = await get(limited, CATALOG);
    for (let request = 1; request <= PARTNER_RATE_LIMIT && last.status === 200; request++) last = await get(limited, CATALOG);
    expect(last).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED', status: '429', '@type': 'Error' } });
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
