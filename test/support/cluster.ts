import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { demoInventory, demoProducts } from '../../src/demo/seed.ts';
import { newAdminKey, repoRoot } from './app.ts';
import { type Endpoint, rawQuery } from './client.ts';
import { createTestDatabase, postgresServerUrl } from './database.ts';
import { spawnServer, spawnWorker, type ServerProcess, type WorkerProcess } from './server-process.ts';
import { eventually } from './wait.ts';

export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const CREATE_PRODUCT = 'mutation($input: CreateProductInput!) { createProduct(input: $input) { __typename ... on Error { message } } }';
export const ADD_ITEMS = 'mutation($items: [NewInventoryItemInput!]!) { addInventoryItems(items: $items) { __typename ... on Error { message } } }';
const COMPENSATION = 'query($id: ID!) { runs(first: 100) { nodes { id compensatesRun { id } } } run(id: $id) { id } }';

/** How long a stopped process may drain before the cluster kills it (a test that failed with the database away). */
const CLOSE_GRACE_MS = 30_000;

/** The cluster of one test database: API instances and workers as separate processes on loopback. */
export class Cluster {
  readonly apis: ServerProcess[] = [];
  readonly workers: WorkerProcess[] = [];
  private readonly dirs: string[] = [];
  readonly labDir: string;
  readonly env: Record<string, string>;
  db!: pg.Client;
  private database!: { url: string; drop(): Promise<void> };

  constructor(settings: Record<string, string> = {}) {
    this.labDir = this.tempDir();
    this.env = {
      REDIS_URL: redisUrl,
      PROVISIO_ADMIN_KEY: newAdminKey(),
      PROVISIO_SECRET_KEY: randomBytes(32).toString('base64'),
      PROVISIO_HEARTBEAT_SECONDS: '1',
      PROVISIO_KILL_GRACE_MS: '1000',
      PROVISIO_PLAYBOOKS_DIR: path.join(repoRoot, 'playbooks'),
      PROVISIO_LAB_DIR: this.labDir,
      PROVISIO_SEED_DEMO: 'false',
      ...settings,
    };
  }

  private tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-cluster-'));
    this.dirs.push(dir);
    return dir;
  }

  /** Creates the cluster's database on `serverUrl` (the suite's PostgreSQL unless given). */
  async open(serverUrl = postgresServerUrl!): Promise<void> {
    this.database = await createTestDatabase(serverUrl);
    this.env['DATABASE_URL'] = this.database.url;
    this.db = new pg.Client({ connectionString: this.database.url });
    // A test that restarts the server gets a new client through reconnect(); this one's error is expected then.
    this.db.on('error', () => {});
    await this.db.connect();
  }

  /** A new client for the test's own queries, after the database server was restarted. */
  async reconnect(): Promise<void> {
    await this.db.end().catch(() => {});
    this.db = new pg.Client({ connectionString: this.database.url });
    this.db.on('error', () => {});
    await this.db.connect();
  }

  async startApi(env: Record<string, string> = {}): Promise<ServerProcess> {
    // Each process has a data directory of its own, as on separate machines.
    const api = await spawnServer({ ...this.env, PROVISIO_DATA_DIR: this.tempDir(), ...env });
    this.apis.push(api);
    return api;
  }

  async startWorker(env: Record<string, string> = {}): Promise<WorkerProcess> {
    const worker = await spawnWorker({ ...this.env, PROVISIO_DATA_DIR: this.tempDir(), ...env });
    this.workers.push(worker);
    return worker;
  }

  /** Prints the tail of every process's log: for a failed test, what each of them saw. */
  dumpOutputs(characters = 6000): void {
    const named = [...this.apis.map((api, index) => [`api ${index}`, api.output()] as const), ...this.workers.map((worker, index) => [`worker ${index}`, worker.output()] as const)];
    for (const [name, output] of named) console.error(`--- ${name} (last ${characters} characters)\n${output.slice(-characters)}`);
  }

  async close(): Promise<void> {
    const children = [...this.workers, ...this.apis];
    for (const child of children) child.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const child of children) child.process.kill('SIGKILL');
    }, CLOSE_GRACE_MS);
    await Promise.all(children.map((child) => child.process));
    clearTimeout(killer);
    await this.db?.end().catch(() => {});
    await this.database?.drop();
    for (const dir of this.dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function seedDemo(endpoint: Endpoint): Promise<void> {
  for (const product of demoProducts) {
    const created = await rawQuery<{ createProduct: { __typename: string } }>(endpoint, CREATE_PRODUCT, { input: product });
    expect(created.createProduct.__typename).toBe('CreateProductSuccess');
  }
  expect((await rawQuery<{ addInventoryItems: { __typename: string } }>(endpoint, ADD_ITEMS, { items: demoInventory() })).addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
}

/** The id of the run that compensates `runId`, once it exists. */
export async function compensationOf(endpoint: Endpoint, runId: string, timeoutMs = 30_000): Promise<string> {
  const found = await eventually(
    () => rawQuery<{ runs: { nodes: Array<{ id: string; compensatesRun: { id: string } | null }> } }>(endpoint, COMPENSATION, { id: runId }),
    (data) => data.runs.nodes.some((run) => run.compensatesRun?.id === runId),
    'the compensating run',
    timeoutMs,
  );
  return found.runs.nodes.find((run) => run.compensatesRun?.id === runId)!.id;
}


/** Whether a process of a cluster has ended (its promise settled), without waiting for it. */
export const hasExited = (child: { process: Promise<unknown> }) =>
  Promise.race([child.process.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);

/** A process group, by its leader's pid (the run's ansible-playbook). */

/** The database id inside a GraphQL global id. */
export const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':').pop()!;

/** The pid part of a worker id (host:pid:random). */
export const pidOfWorker = (workerId: string) => Number(workerId.split(':').at(-2));
