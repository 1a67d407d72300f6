import { execa } from 'execa';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot, startTestApp, type TestApp } from './support/app.ts';
import { setUpPartner } from './support/access.ts';

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({}, { demo: true });
});
afterAll(async () => {
  await server?.close();
});

it('runs the example partner program with a partner key and its registered documents', async () => {
  const partner = await setUpPartner(server, 'example-partner', ['voip-line']);
  const node = process.execPath;
  const manifest = path.join(repoRoot, 'examples/partner/gql/persisted-documents.json');

  // Before the admin registers the manifest, the partner's documents are refused.
  const refused = await execa(node, [path.join(repoRoot, 'examples/partner/partner.ts'), server.url], { env: { PROVISIO_API_KEY: partner.key }, reject: false, timeout: 60_000 });
  expect(refused.exitCode).not.toBe(0);
  expect(refused.stderr).toContain('no document with this id is registered for your partner');

  const registered = await execa(node, [path.join(repoRoot, 'scripts/trusted-documents.ts'), 'example-partner', manifest, server.url], {
    env: { PROVISIO_API_KEY: server.key },
    reject: false,
  });
  expect(registered.stderr).toBe('');
  expect(registered.stdout).toMatch(/^4 documents in the manifest, 4 newly registered for example-partner/);

  const result = await execa(node, [path.join(repoRoot, 'examples/partner/partner.ts'), server.url], { env: { PROVISIO_API_KEY: partner.key }, reject: false, timeout: 180_000 });
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  // Only the granted product is listed.
  expect(result.stdout).toContain('product voip-line: VoIP line (needs 1×PHONE_NUMBER)');
  expect(result.stdout).not.toContain('mobile-sim-plan');
  expect(result.stdout).toMatch(/provisioning voip-line for partner-example-\d+: run \S+ QUEUED/);
  expect(result.stdout).toMatch(/run SUCCEEDED after \d+ tasks; service ACTIVE/);
});
