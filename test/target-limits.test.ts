import { execa } from 'execa';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startTestApp, type TestApp } from './support/app.ts';
import { rawQuery } from './support/client.ts';
import { waitForRun } from './support/runs.ts';
import { MAX_REACHABILITY_CHECKS } from '../src/domain/targets.ts';

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({ playbooksDir: path.join(repoRoot, 'test/fixtures/playbooks'), maxConcurrentRuns: 6 });
});
afterAll(async () => {
  await server?.close();
});

const gql = (query: string, variables: Record<string, unknown> = {}) => rawQuery(server, query, variables);

const local = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };

async function provision(productSlug: string, customerRef: string): Promise<string> {
  const { provisionService } = await gql(
    `mutation ($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ProvisionServiceSuccess { started { run { id } } } ... on Error { message } } }`,
    { input: { productSlug, customerRef } },
  );
  expect(provisionService.__typename, JSON.stringify(provisionService)).toBe('ProvisionServiceSuccess');
  return provisionService.started.run.id;
}

const overlap = (a: { startedAt: string; finishedAt: string }, b: { startedAt: string; finishedAt: string }) => Date.parse(a.startedAt) < Date.parse(b.finishedAt) && Date.parse(b.startedAt) < Date.parse(a.finishedAt);

describe('run limits per target host and group', () => {
  beforeAll(async () => {
    const { createTarget } = await gql(
      `mutation ($input: CreateTargetInput!) { createTarget(input: $input) { __typename ... on CreateTargetSuccess { target { limits } } ... on Error { message } ... on ValidationError { issues { path message } } } }`,
      {
        input: {
          name: 'lab',
          inventory: { hosts: { 'el-1': local, 'el-2': local, 'el-3': local }, groups: { edge: { hosts: ['el-2', 'el-3'] } } },
          limits: { 'el-1': 1, edge: 1 },
        },
      },
    );
    expect(createTarget, JSON.stringify(createTarget)).toMatchObject({ __typename: 'CreateTargetSuccess', target: { limits: { 'el-1': 1, edge: 1 } } });
    for (const [slug, hosts] of [['on-el-1', 'el-1'], ['on-el-2', 'el-2'], ['on-el-3', 'el-3']]) {
      const { createProduct } = await gql(
        `mutation ($input: CreateProductInput!) { createProduct(input: $input) { __typename ... on Error { message } } }`,
        { input: { slug, name: slug, provisionPlaybook: 'element/slow.yml', deprovisionPlaybook: 'element/slow.yml', target: 'lab', targetHosts: hosts } },
      );
      expect(createProduct.__typename).toBe('CreateProductSuccess');
    }
  });

  it('a busy element makes the next run wait QUEUED with its position; other elements go on', async () => {
    const [first, second, other] = [await provision('on-el-1', 'a-1'), await provision('on-el-1', 'a-2'), await provision('on-el-2', 'b-1')];
    const { run: waiting } = await gql(`query ($id: ID!) { run(id: $id) { status queuePosition } }`, { id: second });
    expect(waiting).toMatchObject({ status: 'QUEUED', queuePosition: expect.any(Number) });
    const runs = await Promise.all([first, second, other].map((id) => waitForRun(server, id)));
    const [a1, a2, b1] = await Promise.all(runs.map(async (run) => (await gql(`query ($id: ID!) { run(id: $id) { status startedAt finishedAt } }`, { id: run.id })).run));
    expect([a1.status, a2.status, b1.status]).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(overlap(a1, a2)).toBe(false);
    expect(overlap(a1, b1)).toBe(true);
  });

  it('a group limit holds across its hosts', async () => {
    const [first, second] = [await provision('on-el-2', 'g-1'), await provision('on-el-3', 'g-2')];
    const runs = await Promise.all([first, second].map(async (id) => (await gql(`query ($id: ID!) { run(id: $id) { status startedAt finishedAt } }`, { id: (await waitForRun(server, id)).id })).run));
    expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(overlap(runs[0], runs[1])).toBe(false);
  });

  it('refuses a limit on a name the inventory does not have', async () => {
    const { updateTarget } = await gql(
      `mutation ($id: ID!, $input: UpdateTargetInput!) { updateTarget(id: $id, input: $input) { __typename ... on ValidationError { issues { path message } } } }`,
      { id: (await gql(`{ target(name: "lab") { id } }`)).target.id, input: { limits: { 'el-9': 1 } } },
    );
    expect(updateTarget).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'limits.el-9' }] });
  });
});

describe('reachability checks', () => {
  it(`run at most ${MAX_REACHABILITY_CHECKS} at once, however many provisions ask together`, async () => {
    // An element that accepts the connection and never speaks SSH: each check waits for it.
    const silent = net.createServer((socket) => socket.on('error', () => {}));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const host = { ansible_host: '127.0.0.1', ansible_port: port, ansible_timeout: 2, ansible_user: 'nobody' };
      const { createTarget } = await gql(`mutation ($input: CreateTargetInput!) { createTarget(input: $input) { __typename } }`, { input: { name: 'silent', inventory: { hosts: { 'silent-1': host } } } });
      expect(createTarget.__typename).toBe('CreateTargetSuccess');
      const { createProduct } = await gql(`mutation ($input: CreateProductInput!) { createProduct(input: $input) { __typename ... on Error { message } } }`, {
        input: { slug: 'checked', name: 'checked', provisionPlaybook: 'element/slow.yml', deprovisionPlaybook: 'element/slow.yml', target: 'silent', checkReachability: true },
      });
      expect(createProduct.__typename, JSON.stringify(createProduct)).toBe('CreateProductSuccess');
      let peak = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          // Only this server's checks: ansible-playbook processes it started (other test files run
          // reachability checks of their own at the same time), not their forked workers.
          const { stdout } = await execa('ps', ['-eo', 'ppid=,args=']);
          const checks = stdout.split('\n').map((line) => line.trim().split(/\s+/)).filter(([ppid, ...args]) => ppid === String(process.pid) && args.join(' ').includes('ansible-playbook') && args.join(' ').includes('reachability.yml'));
          peak = Math.max(peak, checks.length);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const answers = await Promise.all(
        [1, 2, 3, 4, 5].map((index) =>
          gql(`mutation ($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename } }`, { input: { productSlug: 'checked', customerRef: `checked-${index}` } }),
        ),
      );
      sampling = false;
      await sampler;
      expect(answers.map((answer) => answer.provisionService.__typename)).toEqual(Array(5).fill('TargetUnreachableError'));
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(MAX_REACHABILITY_CHECKS);
    } finally {
      silent.close();
    }
  });
});

