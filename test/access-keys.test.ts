import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/gql.ts';
import { createKey, setUpPartner } from './support/access.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { post, query, request, sseClient, wsClient, type Endpoint } from './support/client.ts';
import { AddInventoryMutation } from './support/documents.ts';
import { ProvisionMutation, waitForRun } from './support/runs.ts';
import { eventually } from './support/wait.ts';

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({ corsOrigins: ['https://console.example.com'] }, { demo: true });
});
afterAll(async () => {
  await server?.close();
});

const ViewerQuery = graphql(`query WhoAmI { viewer { keyName role partner { slug } } }`);

async function status(endpoint: Endpoint): Promise<{ status: number; body: { errors?: Array<{ message: string; extensions?: { code?: string } }> }; headers: Headers }> {
  const response = await post(endpoint, { query: '{ viewer { role } }' });
  return { status: response.status, body: (await response.json()) as never, headers: response.headers };
}

/** Opens a graphql-ws subscription that never ends on its own; resolves with how the socket closed. */
function openPoolSubscription(endpoint: Endpoint) {
  let closed!: (event: { code: number; reason: string }) => void;
  const closing = new Promise<{ code: number; reason: string }>((resolve) => (closed = resolve));
  const client = wsClient(endpoint, { retryAttempts: 0, on: { closed: (event) => closed(event as { code: number; reason: string }) } });
  let connected!: () => void;
  const open = new Promise<void>((resolve) => (connected = resolve));
  client.on('connected', () => connected());
  client.subscribe({ query: 'subscription { inventoryPoolChanged { kind } }' }, { next: () => {}, error: () => {}, complete: () => {} });
  return { open, closing, client };
}

describe('API keys on every transport', () => {
  it('refuses HTTP requests without a valid key with 401 and a GraphQL error body', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /an API key is required/],
      [{ authorization: 'Basic abc' }, /malformed Authorization/],
      [{ authorization: `Bearer pvo_${'x'.repeat(43)}` }, /unknown API key/],
    ];
    for (const [headers, message] of cases) {
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="provisio"');
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'UNAUTHENTICATED' } });
    }
    // GraphiQL's page itself needs no key (its requests do).
    expect((await fetch(server.url, { headers: { accept: 'text/html' } })).status).toBe(200);
  });

  it('refuses SSE and WebSocket clients without a valid key', async () => {
    const anonymous = { url: server.url, key: 'not-a-key' };
    const sse = await new Promise<unknown>((resolve) => {
      sseClient(anonymous, { retryAttempts: 0 }).subscribe({ query: 'subscription { inventoryPoolChanged { kind } }' }, { next: () => {}, error: resolve, complete: () => resolve('completed') });
    });
    expect(String(sse)).toContain('401');
    const { closing } = openPoolSubscription(anonymous);
    expect(await closing).toMatchObject({ code: 4401, reason: 'unknown API key' });
  });

  it('shows a key once, stores only its hash, and records when it was last used', async () => {
    const created = await createKey(server, 'VIEWER', { name: 'shown once' });
    expect(created.key).toMatch(/^pvo_[A-Za-z0-9_-]{43}$/);
    expect(await query(created, ViewerQuery)).toEqual({ viewer: { keyName: 'shown once', role: 'VIEWER', partner: null } });
    const rows = await server.app.database.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(`SELECT * FROM "ApiKey"`);
    expect(JSON.stringify(rows)).not.toContain(created.key);
    const keys = graphql(`query Keys { apiKeys { nodes { id name prefix status lastUsedAt } } }`);
    // lastUsedAt is written beside the request, not before its answer: wait for it.
    const mine = await eventually(
      async () => (await query(server, keys)).apiKeys.nodes.find((key) => key.id === created.keyId)!,
      (key) => key.lastUsedAt !== null,
      'lastUsedAt to be recorded',
    );
    expect(mine).toMatchObject({ name: 'shown once', prefix: created.key.slice(0, 12), status: 'ACTIVE' });
    expect(mine.lastUsedAt).not.toBeNull();
  });

  it('a revoked key stops at once: HTTP 401, and its open WebSocket and SSE subscriptions end', async () => {
    const key = await createKey(server, 'OPERATOR', { name: 'to revoke' });
    const ws = openPoolSubscription(key);
    await ws.open;
    let sseEnded!: (outcome: string) => void;
    const sseEnd = new Promise<string>((resolve) => (sseEnded = resolve));
    let sseMessages = 0;
    const sse = sseClient(key, { retryAttempts: 0 });
    sse.subscribe(
      { query: 'subscription { inventoryPoolChanged { kind } }' },
      { next: () => sseMessages++, error: (error) => sseEnded(`error: ${String(error)}`), complete: () => sseEnded('completed') },
    );
    // The SSE stream is live once a pool change reaches it.
    for (let i = 0; i < 50 && sseMessages === 0; i++) {
      await query(server, AddInventoryMutation, { items: [{ kind: 'PHONE_NUMBER', identifier: `+44207660${String(i).padStart(3, '0')}` }] });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sseMessages).toBeGreaterThan(0);
    const revoke = graphql(`mutation Revoke($id: ID!) { revokeApiKey(id: $id) { __typename ... on RevokeApiKeySuccess { apiKey { status revokedAt } } } }`);
    expect((await query(server, revoke, { id: key.keyId })).revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeySuccess', apiKey: { status: 'REVOKED' } });
    expect(await ws.closing).toMatchObject({ code: 4403, reason: 'API key revoked or expired' });
    expect(await sseEnd).toMatch(/completed|error/);
    const after = await status(key);
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.message).toBe('this API key has been revoked');
    sse.dispose();
  });

  it('an expired key is refused', async () => {
    const key = await createKey(server, 'VIEWER', { expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect((await status(key)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const after = await status(key);
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.message).toBe('this API key has expired');
  });

  it('rotation issues a successor; the old key works for the overlap only', async () => {
    const rotate = graphql(`
      mutation Rotate($id: ID!, $overlapSeconds: Int) {
        rotateApiKey(id: $id, overlapSeconds: $overlapSeconds) {
          __typename
          ... on RotateApiKeySuccess { issued { key apiKey { id name role rotatedFrom { id } } } }
          ... on ValidationError { issues { path message } }
        }
      }
    `);
    const old = await createKey(server, 'OPERATOR', { name: 'rotating' });
    const overlapping = await query(server, rotate, { id: old.keyId, overlapSeconds: 3600 });
    if (overlapping.rotateApiKey.__typename !== 'RotateApiKeySuccess') throw new Error(JSON.stringify(overlapping));
    const successor = { url: server.url, key: overlapping.rotateApiKey.issued.key };
    expect(overlapping.rotateApiKey.issued.apiKey).toMatchObject({ name: 'rotating', role: 'OPERATOR', rotatedFrom: { id: old.keyId } });
    expect((await status(old)).status).toBe(200);
    expect((await status(successor)).status).toBe(200);
    const immediate = await query(server, rotate, { id: overlapping.rotateApiKey.issued.apiKey.id, overlapSeconds: 0 });
    if (immediate.rotateApiKey.__typename !== 'RotateApiKeySuccess') throw new Error(JSON.stringify(immediate));
    expect((await status(successor)).status).toBe(401);
    expect((await status({ url: server.url, key: immediate.rotateApiKey.issued.key })).status).toBe(200);
    expect((await query(server, rotate, { id: old.keyId, overlapSeconds: 40 * 24 * 3600 })).rotateApiKey).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: 'overlapSeconds' }],
    });
  });

  it('refuses keys that make no sense', async () => {
    const create = graphql(`mutation BadKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on ValidationError { issues { path message } } } }`);
    const bad = await query(server, create, { input: { name: '', role: 'PARTNER', expiresAt: '2000-01-01T00:00:00Z' } });
    expect(bad.createApiKey).toEqual({
      __typename: 'ValidationError',
      issues: [
        { path: 'input.name', message: 'name must be 1 to 100 characters' },
        { path: 'input.partnerId', message: 'a PARTNER key needs a partner' },
        { path: 'input.expiresAt', message: 'expiresAt must be in the future' },
      ],
    });
  });
});

describe('browsers', () => {
  it('answers CORS only for allowed origins', async () => {
    const preflight = (origin: string) =>
      fetch(server.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const allowed = await preflight('https://console.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(server.url, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json', authorization: `Bearer ${server.key}` }, body: '{"query":"{ viewer { role } }"}' });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses WebSocket upgrades from origins not on the list, accepts its own and listed ones', async () => {
    const upgrade = (origin: string | undefined) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(server.url.replace(/^http/, 'ws'), { headers: origin ? { origin } : {} } as never);
        socket.onopen = () => {
          socket.close();
          resolve('open');
        };
        socket.onerror = () => resolve('refused');
      });
    const host = new URL(server.url).host;
    expect(await upgrade('https://evil.example')).toBe('refused');
    expect(await upgrade(`http://${host}`)).toBe('open');
    expect(await upgrade('https://console.example.com')).toBe('open');
  });
});

describe('partner rate limits', () => {
  it('answers 429 with Retry-After past a partner\'s requests per minute', async () => {
    const partner = await setUpPartner(server, 'limited', ['voip-line']);
    await server.app.database.prisma.partner.update({ where: { id: fromGlobalId(partner.partnerId) }, data: { rateLimitPerMinute: 3 } });
    server.app.context.logger.info('rate limit lowered');
    // The key lookup is cached a few seconds; a fresh key picks the new limit up at once.
    const key = await createKey(server, 'PARTNER', { partnerId: partner.partnerId });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await status(key));
    expect(statuses.map((s) => s.status)).toEqual([403, 403, 403, 429]);
    expect(Number(statuses[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(statuses[3]!.body.errors?.[0]).toMatchObject({ message: expect.stringContaining('rate limit of 3 requests per minute'), extensions: { code: 'RATE_LIMITED' } });
    // Staff keys are not limited.
    for (let i = 0; i < 5; i++) expect((await status(server)).status).toBe(200);
  });
});

describe('audit log', () => {
  const Audit = graphql(`
    query Audit($filter: AuditFilter) {
      auditLog(filter: $filter, first: 20) {
        totalCount
        nodes { operation operationName keyName role resultType resultId arguments partner { slug } }
      }
    }
  `);

  it('records every mutation with who, what (secrets masked), when and how it ended', async () => {
    const viewer = await createKey(server, 'VIEWER', { name: 'auditor test viewer' });
    await request(server, AddInventoryMutation, {
      items: [{ kind: 'SIM', identifier: '8944500102030405067', attributes: { imsi: '234150000000123', ki: '000102030405060708090A0B0C0D0E0F', opc: '0F0E0D0C0B0A09080706050403020100' } }],
    });
    const provisioned = await query(server, ProvisionMutation, {
      input: { productSlug: 'voip-line', customerRef: 'audit-1', variables: { caller_id_name: 'Audit', sip_password: 'audit-secret-password' } },
    });
    await request(viewer, AddInventoryMutation, { items: [{ kind: 'PHONE_NUMBER', identifier: '+442076000999' }] });
    if (provisioned.provisionService.__typename === 'ProvisionServiceSuccess') await waitForRun(server, provisioned.provisionService.started.run.id);

    const log = await query(server, Audit, {});
    const text = JSON.stringify(log);
    expect(text).not.toContain('audit-secret-password');
    expect(text).not.toContain('000102030405060708090A0B0C0D0E0F');
    const provision = log.auditLog.nodes.find((entry) => entry.operation === 'provisionService' && JSON.stringify(entry.arguments).includes('audit-1'))!;
    expect(provision).toMatchObject({
      operationName: 'Provision',
      role: 'ADMIN',
      resultType: 'ProvisionServiceSuccess',
      arguments: { input: { productSlug: 'voip-line', customerRef: 'audit-1', variables: { caller_id_name: 'Audit', sip_password: '********' } } },
    });
    expect(provision.resultId).toMatch(/^[0-9a-f-]{36}$/);
    const sim = log.auditLog.nodes.find((entry) => entry.operation === 'addInventoryItems' && JSON.stringify(entry.arguments).includes('8944500102030405067'))!;
    expect(sim.arguments).toMatchObject({ items: [{ attributes: { imsi: '234150000000123', ki: '********', opc: '********' } }] });
    const denied = await query(server, Audit, { filter: { resultType: 'ForbiddenError', role: 'VIEWER' } });
    expect(denied.auditLog.nodes).toEqual([expect.objectContaining({ operation: 'addInventoryItems', keyName: 'auditor test viewer', role: 'VIEWER', resultType: 'ForbiddenError' })]);
    const filtered = await query(server, Audit, { filter: { operation: 'provisionService', since: new Date(Date.now() - 60_000).toISOString() } });
    expect(filtered.auditLog.nodes.every((entry) => entry.operation === 'provisionService')).toBe(true);
  });
});

function fromGlobalId(id: string): string {
  return Buffer.from(id, 'base64').toString('utf8').split(':')[1]!;
}
