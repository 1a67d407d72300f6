import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot, startTestApp, type TestApp } from './support/app.ts';
import { query } from './support/client.ts';
import { CreateProductMutation } from './support/documents.ts';

let server: TestApp;
let playbooksDir: string;

beforeAll(async () => {
  // A playbooks directory of our own, with a broken playbook and a symlink pointing outside it.
  playbooksDir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-playbooks-'));
  fs.cpSync(path.join(repoRoot, 'playbooks/voip-line'), path.join(playbooksDir, 'voip-line'), { recursive: true });
  fs.writeFileSync(path.join(playbooksDir, 'broken.yml'), '- hosts: localhost\n  tasks:\n    - name: unclosed\n      debug: {msg: "oops"\n');
  fs.writeFileSync(path.join(os.tmpdir(), 'provisio-outside.yml'), '- hosts: localhost\n  tasks: []\n');
  fs.symlinkSync(path.join(os.tmpdir(), 'provisio-outside.yml'), path.join(playbooksDir, 'escape.yml'));
  server = await startTestApp({ playbooksDir });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(playbooksDir, { recursive: true, force: true });
});

const product = (provisionPlaybook: string) => ({
  slug: `p-${provisionPlaybook.replace(/\W/g, '-')}`,
  name: 'Syntax',
  provisionPlaybook,
  deprovisionPlaybook: 'voip-line/deprovision.yml',
});

it('rejects a playbook Ansible cannot parse when the product is created, with Ansible\'s message', async () => {
  const result = await query(server, CreateProductMutation, { input: product('broken.yml') });
  if (result.createProduct.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
  expect(result.createProduct.issues).toEqual([{ path: 'provisionPlaybook', message: expect.stringContaining('ansible-playbook --syntax-check failed') }]);
  expect(result.createProduct.issues[0]!.message).toMatch(/broken\.yml|Syntax Error|syntax/i);
});

it('rejects a symlink that leads out of the playbooks directory', async () => {
  const result = await query(server, CreateProductMutation, { input: product('escape.yml') });
  if (result.createProduct.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
  expect(result.createProduct.issues).toEqual([{ path: 'provisionPlaybook', message: 'playbook resolves outside the playbooks directory' }]);
});

it('accepts a valid playbook (and a product with no variables or inventory at all)', async () => {
  const result = await query(server, CreateProductMutation, { input: product('voip-line/provision.yml') });
  expect(result.createProduct.__typename).toBe('CreateProductSuccess');
});
