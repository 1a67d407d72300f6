import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { apiId, backoffMs, webhookUrlProblem } from '../../src/domain/webhooks/index.ts';
import { signingSecrets } from '../../src/domain/webhooks/endpoints.ts';
import { newSigningSecret, signedHeaders } from '../../src/domain/webhooks/signing.ts';
import type { SecretBox } from '../../src/domain/secrets/box.ts';
import { createHttpWebhookSender } from '../../src/infra/webhooks/http-sender.ts';

const open = { allowedHosts: [] };
const listed = { allowedHosts: ['hooks.internal', '*.crm.example', '10.20.0.0/16', '::1', '127.0.0.1'] };

describe('webhook URL policy', () => {
  it('without an allow-list: https to public hosts only', () => {
    expect(webhookUrlProblem('https://hooks.example.com/provisio?tenant=1', open)).toBeUndefined();
    expect(webhookUrlProblem('https://203.0.113.7:8443/hooks', open)).toMatch(/203.0.113.7 is a reserved address/);
    expect(webhookUrlProblem('https://93.184.215.14/hooks', open)).toBeUndefined();
    expect(webhookUrlProblem('http://hooks.example.com/', open)).toMatch(/http is allowed only for hosts on the allow-list/);
    for (const internal of ['https://127.0.0.1/', 'https://10.1.2.3/', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/', 'https://[::ffff:127.0.0.1]/', 'https://192.168.1.1/']) {
      expect(webhookUrlProblem(internal, open), internal).toMatch(/address: only public addresses are reached/);
    }
    expect(webhookUrlProblem('https://user:pw@hooks.example.com/', open)).toMatch(/credentials/);
    expect(webhookUrlProblem('file:///etc/passwd', open)).toMatch(/scheme/);
    expect(webhookUrlProblem(`https://hooks.example.com/${'a'.repeat(2100)}`, open)).toMatch(/at most 2048/);
  });

  it('with an allow-list: only the hosts it names, internal ones and http included', () => {
    expect(webhookUrlProblem('http://hooks.internal:8080/x', listed)).toBeUndefined();
    expect(webhookUrlProblem('https://eu.crm.example/x', listed)).toBeUndefined();
    expect(webhookUrlProblem('https://crm.example/x', listed)).toMatch(/not on the webhook allow-list/);
    expect(webhookUrlProblem('https://evilcrm.example/x', listed)).toMatch(/not on the webhook allow-list/);
    expect(webhookUrlProblem('http://10.20.3.4/x', listed)).toBeUndefined();
    expect(webhookUrlProblem('http://10.21.3.4/x', listed)).toMatch(/not on the webhook allow-list/);
    expect(webhookUrlProblem('http://[::1]:9000/x', listed)).toBeUndefined();
    expect(webhookUrlProblem('https://hooks.example.com/', listed)).toMatch(/not on the webhook allow-list/);
  });
});

describe('webhook delivery details', () => {
  it('names entities with the ids the API shows', () => {
    const id = '5d529103-efca-4a67-bc6c-93f68d8f8896';
    for (const typename of ['ProvisioningRun', 'Service', 'Product', 'InventoryItem', 'WebhookEndpoint'] as const) expect(apiId(typename, id)).toBe(encodeGlobalID(typename, id));
  });

  it('signs with the previous secret too only while the rotation overlaps', () => {
    // Values in clear: keyIdOf says none is sealed, so openValues hands them back as they are.
    const clear: SecretBox = { seal: () => '', open: () => '', keyIdOf: () => undefined, rewrap: (sealed) => sealed, currentKeyId: 'none', sealedPrefix: 'pvs1:' };
    const now = new Date('2026-11-27T01:00:00Z');
    const secrets = { secret: 'whsec_new', previous: 'whsec_old' };
    expect(signingSecrets(clear, { secrets, previousSecretExpiresAt: new Date('2026-11-27T02:00:00Z') }, now)).toEqual(['whsec_new', 'whsec_old']);
    expect(signingSecrets(clear, { secrets, previousSecretExpiresAt: new Date('2026-11-27T00:59:59Z') }, now)).toEqual(['whsec_new']);
    expect(signingSecrets(clear, { secrets: { secret: 'whsec_new' }, previousSecretExpiresAt: null }, now)).toEqual(['whsec_new']);
  });

  it('waits twice as long before each retry, ±20 %, at most an hour', () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const wait = backoffMs(1000, attempt);
      expect(wait).toBeGreaterThanOrEqual(0.8 * 1000 * 2 ** (attempt - 1));
      expect(wait).toBeLessThanOrEqual(1.2 * 1000 * 2 ** (attempt - 1));
    }
    expect(backoffMs(30_000, 40)).toBeLessThanOrEqual(1.2 * 3_600_000);
  });

  it('does not connect to a host whose name resolves to an internal address, unless the allow-list names it', async () => {
    const server = http.createServer((_request, response) => response.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const request = { url: `https://localhost:${port}/hooks`, headers: {}, body: '{}' };
      // "localhost" passes as a name; its address is checked when connecting.
      expect(webhookUrlProblem(request.url, open)).toBeUndefined();
      expect(await createHttpWebhookSender({ policy: open, timeoutMs: 2000 }).send(request)).toEqual({ error: expect.stringMatching(/(127\.0\.0\.1|::1) is a loopback address/) });
      const allowed = createHttpWebhookSender({ policy: { allowedHosts: ['localhost'] }, timeoutMs: 2000 });
      expect(await allowed.send({ ...request, url: `http://localhost:${port}/hooks` })).toEqual({ statusCode: 200, body: 'ok' });
      // Redirects are answers, not followed.
      const redirecting = http.createServer((_request, response) => response.writeHead(302, { location: 'http://169.254.169.254/' }).end());
      await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
      const redirect = await createHttpWebhookSender({ policy: { allowedHosts: ['127.0.0.1'] }, timeoutMs: 2000 }).send({ ...request, url: `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/` });
      expect(redirect).toEqual({ statusCode: 302, body: '' });
      redirecting.close();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("the README's verification snippet accepts a delivery and refuses a changed body, another secret or an old timestamp", async () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
    const code = /```js\n(import \{ createHmac[\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-readme-')), 'verify.mjs');
    fs.writeFileSync(file, code!);
    const { verifyWebhook } = (await import(file)) as { verifyWebhook: (secret: string, headers: Record<string, string>, body: string) => boolean };
    const secret = newSigningSecret();
    const body = JSON.stringify({ type: 'run.failed', timestamp: new Date().toISOString(), data: { run: { status: 'ROLLED_BACK' } } });
    const headers = signedHeaders([secret], { id: 'c0ffee00-0000-4000-8000-000000000001', eventType: 'run.failed' }, new Date(), body);
    expect(verifyWebhook(secret, headers, body)).toBe(true);
    expect(verifyWebhook(secret, headers, body.replace('ROLLED_BACK', 'SUCCEEDED'))).toBe(false);
    expect(verifyWebhook(newSigningSecret(), headers, body)).toBe(false);
    const old = signedHeaders([secret], { id: 'c0ffee00-0000-4000-8000-000000000001', eventType: 'run.failed' }, new Date(Date.now() - 600_000), body);
    expect(verifyWebhook(secret, old, body)).toBe(false);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
