/* eslint-disable @typescript-eslint/no-explicit-any -- the documents here are raw strings (their results read loosely); the typed client is exercised by the other suites */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startTestApp, type TestApp } from './support/app.ts';
import { query, rawQuery } from './support/client.ts';
import { AddInventoryMutation } from './support/documents.ts';
import { hasSshd, startSshd, type TestSshd } from './support/sshd.ts';
import { allEvents, waitForRun } from './support/runs.ts';
import { createKey } from './support/access.ts';

const VAULT_PASSWORD = 'vault-pass-for-tests';
const API_PASSWORD = `api-password-${Math.random().toString(36).slice(2)}`;

let sshd: TestSshd;
let server: TestApp;
beforeAll(async () => {
  if (!hasSshd) return;
  sshd = await startSshd();
  server = await startTestApp({ playbooksDir: path.join(repoRoot, 'test/fixtures/playbooks') });
});
afterAll(async () => {
  await server?.close();
  await sshd?.stop();
});

const gql = rawQuery;

const CREATE_CREDENTIAL = `mutation ($input: CreateCredentialInput!) {
  createCredential(input: $input) { __typename ... on CreateCredentialSuccess { credential { id name kind username fingerprint hasPassphrase } } ... on Error { message } ... on ValidationError { issues { path message } } }
}`;
const CREATE_TARGET = `mutation ($input: CreateTargetInput!) {
  createTarget(input: $input) { __typename ... on CreateTargetSuccess { target { id name version hosts inventory } } ... on Error { message } ... on ValidationError { issues { path message } } }
}`;
const CREATE_PRODUCT = `mutation ($input: CreateProductInput!) {
  createProduct(input: $input) { __typename ... on CreateProductSuccess { product { id slug target { name } credentials { name } } } ... on Error { message } ... on ValidationError { issues { path message } } }
}`;
const PROVISION = `mutation ($input: ProvisionServiceInput!) {
  provisionService(input: $input) { __typename ... on ProvisionServiceSuccess { started { service { id } run { id } } } ... on Error { message } ... on TargetUnreachableError { target hosts { host message } } }
}`;
const RUN = `query ($id: ID!) { run(id: $id) { id status statusReason targetName targetVersion log compensatedBy { id status } } }`;

async function credential(input: Record<string, unknown>): Promise<Record<string, any>> {
  const result = (await gql(server, CREATE_CREDENTIAL, { input })).createCredential;
  expect(result.__typename, JSON.stringify(result)).toBe('CreateCredentialSuccess');
  return result.credential;
}

async function product(slug: string, credentials: string[], extra: Record<string, unknown> = {}): Promise<void> {
  const result = (await gql(server, CREATE_PRODUCT, {
    input: { slug, name: slug, provisionPlaybook: 'element/provision.yml', deprovisionPlaybook: 'element/deprovision.yml', target: 'fra1-access', targetHosts: 'elements', credentials, ...extra },
  })).createProduct;
  expect(result.__typename, JSON.stringify(result)).toBe('CreateProductSuccess');
}

describe.skipIf(!hasSshd)('targets and credentials through the API, against a real sshd', () => {
  beforeAll(async () => {
    const key = await credential({ name: 'olt_admin', kind: 'SSH_KEY', username: sshd.user, secret: sshd.encryptedKey.privateKey, passphrase: sshd.encryptedKey.passphrase });
    expect(key).toMatchObject({ kind: 'SSH_KEY', hasPassphrase: true, fingerprint: expect.stringMatching(/^SHA256:/) });
    await credential({ name: 'olt_wrong', kind: 'SSH_KEY', username: sshd.user, secret: sshd.wrongKey.privateKey });
    await credential({ name: 'element', kind: 'VAULT_PASSWORD', secret: VAULT_PASSWORD });
    await credential({ name: 'element_api', kind: 'USERNAME_PASSWORD', username: 'api-user', secret: API_PASSWORD });
    const inventoryText = [
      '[elements]',
      `olt-1 ansible_host=127.0.0.1 ansible_port=${sshd.port} ansible_python_interpreter=/usr/bin/python3 element_state_dir=${sshd.stateDir}`,
      '',
      '[elements:vars]',
      `element_setting="{{ 6 * 7 }}"`,
    ].join('\n');
    const target = (await gql(server, CREATE_TARGET, { input: { name: 'fra1-access', inventoryText, knownHosts: sshd.knownHosts } })).createTarget;
    expect(target.__typename, JSON.stringify(target)).toBe('CreateTargetSuccess');
    expect(target.target).toMatchObject({ version: 1, hosts: ['olt-1'] });
    await product('fibre-ssh', ['olt_admin', 'element', 'element_api']);
    const added = await query(server, AddInventoryMutation, { items: [{ kind: 'IP_BLOCK', identifier: '10.20.0.0/30' }] });
    expect(added.addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
    const reservesIp = { inventoryRequirements: [{ kind: 'IP_BLOCK', count: 1 }] };
    await product('fibre-wrong-key', ['olt_wrong', 'element', 'element_api'], reservesIp);
    await product('fibre-checked', ['olt_wrong', 'element', 'element_api'], { ...reservesIp, checkReachability: true });
  });

  it('a provision configures the element with the stored key and vault password; the run records the target version', async () => {
    const started = (await gql(server, PROVISION, { input: { productSlug: 'fibre-ssh', customerRef: 'cust-ssh-1' } })).provisionService;
    expect(started.__typename, JSON.stringify(started)).toBe('ProvisionServiceSuccess');
    await waitForRun(server, started.started.run.id);
    const { run } = await gql(server, RUN, { id: started.started.run.id });
    expect(run, run.log).toMatchObject({ status: 'SUCCEEDED', targetName: 'fra1-access', targetVersion: 1 });
    const content = fs.readFileSync(path.join(sshd.stateDir, 'cust-ssh-1.conf'), 'utf8');
    expect(content).toBe(`setting={{ 6 * 7 }} vaulted=${createHash('sha256').update('vaulted-element-secret').digest('hex')} api_user=api-user\n`);
  });

  it('a key the element refuses: the run fails naming the unreachable host; nothing was touched, so the inventory goes back to the pool', async () => {
    const started = (await gql(server, PROVISION, { input: { productSlug: 'fibre-wrong-key', customerRef: 'cust-wrong-1' } })).provisionService;
    expect(started.__typename, JSON.stringify(started)).toBe('ProvisionServiceSuccess');
    await waitForRun(server, started.started.run.id);
    const { run } = await gql(server, RUN, { id: started.started.run.id });
    expect(run.status).toBe('FAILED');
    expect(run.statusReason).toMatch(/host olt-1 was unreachable.*no host was reached, so nothing is left to undo/);
    const { node } = await gql(server, `query ($id: ID!) { node(id: $id) { ... on Service { status inventoryItems { status } } } }`, { id: started.started.service.id });
    expect(node).toEqual({ status: 'FAILED', inventoryItems: [] });
    const pool = await server.app.database.prisma.inventoryItem.findMany({ where: { kind: 'IP_BLOCK' } });
    expect(pool.map((item) => item.status)).toEqual(['AVAILABLE']);
    expect(fs.existsSync(path.join(sshd.stateDir, 'cust-wrong-1.conf'))).toBe(false);
  });

  it('with the reachability check, an unreachable element is a typed error and nothing is reserved', async () => {
    const result = (await gql(server, PROVISION, { input: { productSlug: 'fibre-checked', customerRef: 'cust-checked-1' } })).provisionService;
    expect(result).toMatchObject({ __typename: 'TargetUnreachableError', target: 'fra1-access', hosts: [{ host: 'olt-1' }] });
    const { services } = await gql(server, `{ services(first: 50) { nodes { customerRef } } }`);
    expect(services.nodes.map((s: { customerRef: string }) => s.customerRef)).not.toContain('cust-checked-1');
    const pool = await server.app.database.prisma.inventoryItem.findMany({ where: { kind: 'IP_BLOCK' } });
    expect(pool.map((item) => item.status)).toEqual(['AVAILABLE']);
  });

  it('a target change is a new version; a stale expectedVersion is refused; the next run records the new version', async () => {
    const UPDATE = `mutation ($id: ID!, $input: UpdateTargetInput!, $expectedVersion: Int) { updateTarget(id: $id, input: $input, expectedVersion: $expectedVersion) { __typename ... on UpdateTargetSuccess { target { version description } } ... on Error { message } } }`;
    const { target } = await gql(server, `{ target(name: "fra1-access") { id version } }`);
    const updated = (await gql(server, UPDATE, { id: target.id, input: { description: 'Frankfurt access' }, expectedVersion: target.version })).updateTarget;
    expect(updated).toMatchObject({ __typename: 'UpdateTargetSuccess', target: { version: target.version + 1, description: 'Frankfurt access' } });
    const stale = (await gql(server, UPDATE, { id: target.id, input: { description: 'lost update' }, expectedVersion: target.version })).updateTarget;
    expect(stale.__typename).toBe('ConflictError');
    const started = (await gql(server, PROVISION, { input: { productSlug: 'fibre-ssh', customerRef: 'cust-ssh-2' } })).provisionService;
    await waitForRun(server, started.started.run.id);
    const { run } = await gql(server, RUN, { id: started.started.run.id });
    expect(run).toMatchObject({ status: 'SUCCEEDED', targetName: 'fra1-access', targetVersion: target.version + 1 });
  });

  it('credentials are write-only: no value in API output, events, logs, stored rows or files left behind', async () => {
    const { credentials } = await gql(server, `{ credentials(first: 20) { nodes { name kind username fingerprint hasPassphrase } } }`);
    const runs = await gql(server, `{ runs(first: 50) { nodes { id log statusReason } } }`);
    const events = await Promise.all(runs.runs.nodes.map((r: { id: string }) => allEvents(server, r.id)));
    const stored = await server.app.database.sql.query(`SELECT (SELECT json_agg(c) FROM "Credential" c)::text AS c, (SELECT json_agg(e) FROM "RunEvent" e)::text AS e, (SELECT json_agg(r) FROM "ProvisioningRun" r)::text AS r, (SELECT json_agg(a) FROM "AuditEntry" a)::text AS a`);
    const leftovers = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(`provisio-run-${process.pid}-`));
    const seen = JSON.stringify({ credentials, runs, events, stored });
    const secretLines = [sshd.encryptedKey.privateKey, sshd.wrongKey.privateKey].flatMap((key) => key.split('\n').filter((line) => line.length > 20));
    for (const secret of [VAULT_PASSWORD, API_PASSWORD, sshd.encryptedKey.passphrase, ...secretLines]) expect(seen).not.toContain(secret);
    expect(leftovers).toEqual([]);
  });

  it('only admins write credentials', async () => {
    const operator = await createKey(server, 'OPERATOR');
    const denied = (await gql(operator, CREATE_CREDENTIAL, { input: { name: 'sneaky', kind: 'API_TOKEN', secret: 'x' } })).createCredential;
    expect(denied.__typename).toBe('ForbiddenError');
  });

  it('checks an SSH key when it is stored; rotating a credential takes effect at the next run', async () => {
    const CREATE = CREATE_CREDENTIAL;
    const garbage = (await gql(server, CREATE, { input: { name: 'bad_key', kind: 'SSH_KEY', secret: 'not a key' } })).createCredential;
    expect(garbage).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'secret' }] });
    const wrong = (await gql(server, CREATE, { input: { name: 'bad_pass', kind: 'SSH_KEY', secret: sshd.encryptedKey.privateKey, passphrase: 'nope' } })).createCredential;
    expect(wrong).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'passphrase', message: expect.stringMatching(/passphrase does not open/) }] });
    const { credentials } = await gql(server, `{ credentials(first: 20) { nodes { id name version } } }`);
    const olt = credentials.nodes.find((c: { name: string }) => c.name === 'olt_wrong');
    const rotated = (await gql(server, `mutation ($id: ID!, $input: UpdateCredentialInput!) { updateCredential(id: $id, input: $input) { __typename ... on UpdateCredentialSuccess { credential { version fingerprint hasPassphrase } } ... on Error { message } } }`, {
      id: olt.id,
      input: { secret: sshd.key.privateKey },
    })).updateCredential;
    expect(rotated).toMatchObject({ __typename: 'UpdateCredentialSuccess', credential: { version: olt.version + 1, hasPassphrase: false } });
    const started = (await gql(server, PROVISION, { input: { productSlug: 'fibre-wrong-key', customerRef: 'cust-rotated-1' } })).provisionService;
    await waitForRun(server, started.started.run.id);
    expect((await gql(server, RUN, { id: started.started.run.id })).run.status).toBe('SUCCEEDED');
  });
});
