import { execa } from 'execa';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot, startTestApp, type TestApp } from './support/app.ts';

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({}, { demo: true });
});
afterAll(async () => {
  await server?.close();
});

it('runs the example partner program against a live server', async () => {
  const result = await execa(process.execPath, [path.join(repoRoot, 'examples/partner/partner.ts'), server.url], { reject: false, timeout: 30_000 });
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toContain('product mobile-sim-plan: Mobile SIM plan (needs 1×SIM + 1×PHONE_NUMBER)');
  expect(result.stdout).toContain('added 3 phone numbers');
  expect(result.stdout).toMatch(/pool PHONE_NUMBER: \d+ available of \d+/);
});
