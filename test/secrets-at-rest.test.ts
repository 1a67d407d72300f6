import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/boot/app.ts';
import type { Config } from '../src/config.ts';
import { luhnValid } from '../src/domain/inventory/kinds.ts';
import { repoRoot, startTestApp, type TestApp } from './support/app.ts';
import { query, type Endpoint } from './support/client.ts';
import { AddInventoryMutation, CreateProductMutation } from './support/documents.ts';
import { profile } from './support/database.ts';
import { provision, waitForRun } from './support/runs.ts';

const playbooksDir = path.join(repoRoot, 'test/fixtures/playbooks');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Secrets of one test: every source a secret can come from, each with a value found nowhere else. */
function newSecrets() {
  const hex = () => randomBytes(16).toString('hex').toUpperCase();
  return {
    token: `token-${randomBytes(12).toString('hex')}`,
    pin: 100_000 + randomBytes(3).readUIntBE(0, 3),
    apiKey: `apikey-${randomBytes(12).toString('hex')}`,
    previewApiKey: `preview-${randomBytes(12).toString('hex')}`,
    ki: hex(),
    opc: hex(),
  };
}
type Secrets = ReturnType<typeof newSecrets>;

/** The strings that must never be stored: each secret as given, and its lower- and upper-case forms. */
function forbidden(secrets: Secrets): string[] {
  return Object.values(secrets).flatMap((value) => [String(value), String(value).toLowerCase(), String(value).toUpperCase()]);
}

function iccid(seed: number): string {
  const body = `894410${String(seed).padStart(12, '0')}`;
  for (let check = 0; check < 10; check++) if (luhnValid(`${body}${check}`)) return `${body}${check}`;
  throw new Error('no check digit');
}

async function createSecretProduct(endpoint: Endpoint, secrets: Secrets, slug: string): Promise<void> {
  const created = await query(endpoint, CreateProductMutation, {
    input: {
      slug,
      name: 'Secret digests',
      provisionPlaybook: 'secret-digests/provision.yml',
      deprovisionPlaybook: 'secret-digests/deprovision.yml',
      defaultVariables: { pin: secrets.pin, plan: 'basic' },
      variableSchema: {
        type: 'object',
        properties: {
          token: { type: 'string', secret: true, default: secrets.token },
          pin: { type: 'integer', secret: true },
          api_key: { type: 'string', secret: true },
          plan: { type: 'string' },
        },
        required: ['api_key'],
      },
      inventoryRequirements: [{ kind: 'SIM', count: 1 }],
    },
  });
  expect(created.createProduct.__typename).toBe('CreateProductSuccess');
  const seed = randomBytes(4).readUInt32BE(0);
  const added = await query(endpoint, AddInventoryMutation, {
    // Several SIMs with the same keys: whichever a provision takes, its digests are known.
    items: [1, 2, 3].map((offset) => ({ kind: 'SIM' as const, identifier: iccid(seed + offset), attributes: { imsi: `26201999900077${offset}`, ki: secrets.ki, opc: secrets.opc } })),
  });
  expect(added.addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
}

const sha256 = (value: string | number) => createHash('sha256').update(String(value)).digest('hex');

/** Provisions (real run, or preview) and reads the digests the fixture playbook wrote of what it received. */
async function digestsOfRun(endpoint: Endpoint, labDir: string, slug: string, apiKey: string, checkMode = false): Promise<Record<string, string>> {
  const customerRef = `cust-${randomBytes(4).toString('hex')}`;
  const { runId } = await provision(endpoint, { productSlug: slug, customerRef, variables: { api_key: apiKey }, checkMode });
  const run = await waitForRun(endpoint, runId);
  expect(run.status, run.statusReason ?? '').toBe('SUCCEEDED');
  expect(run.log).toContain('api key ********');
  return JSON.parse(fs.readFileSync(path.join(labDir, 'digests', `${customerRef}.json`), 'utf8')) as Record<string, string>;
}

function expectedDigests(secrets: Secrets, apiKey = secrets.apiKey) {
  return { token: sha256(secrets.token), pin: sha256(secrets.pin), api_key: sha256(apiKey), ki: sha256(secrets.ki), opc: sha256(secrets.opc) };
}

/** Every row of every table, as text. */
async function databaseText(app: App): Promise<string> {
  const tables = await app.database.prisma.$queryRawUnsafe<Array<{ name: string }>>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`,
  );
  const dumps = await Promise.all(tables.map(({ name }) => app.database.prisma.$queryRawUnsafe<Array<{ row: string }>>(`SELECT t::text AS row FROM "${name}" t`)));
  return dumps.flat().map(({ row }) => row).join('\n');
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

async function started(overrides: Partial<Config> = {}): Promise<TestApp> {
  const server = await startTestApp({ playbooksDir, ...overrides });
  cleanups.push(() => server.close());
  return server;
}

/** Starts another app on the data of `server` (its database and data directory), as a restart does. */
async function restarted(server: TestApp, overrides: Partial<Config> = {}): Promise<TestApp> {
  const app = buildApp({ ...server.config, ...overrides }, { logger: pino({ level: 'silent' }) });
  cleanups.push(() => app.stop());
  // A start that fails still holds the data directory until stopped.
  const { url } = await app.start().catch(async (error: unknown) => {
    await app.stop();
    throw error;
  });
  return { ...server, app, url };
}

describe('secrets at rest', () => {
  it('stores every secret sealed (rows and, on the embedded profile, every data file) and hands Ansible the clear values', async () => {
    const server = await started();
    const secrets = newSecrets();
    await createSecretProduct(server, secrets, 'sealed-plan');
    expect(await digestsOfRun(server, server.config.labDir, 'sealed-plan', secrets.apiKey)).toEqual(expectedDigests(secrets));
    expect(await digestsOfRun(server, server.config.labDir, 'sealed-plan', secrets.previewApiKey, true)).toEqual(expectedDigests(secrets, secrets.previewApiKey));

    const rows = await databaseText(server.app);
    for (const value of forbidden(secrets)) expect(rows).not.toContain(value);
    // Each secret (token, pin, api_key twice, ki, opc) is there, sealed.
    expect(rows.match(/pvs1:[0-9a-f]{12}:/g)?.length).toBeGreaterThanOrEqual(6);

    if (profile === 'embedded') {
      await server.app.stop();
      const keyFile = path.join(server.config.dataDir, 'secret-key');
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      const dataFiles = filesUnder(path.join(server.config.dataDir, 'pgdata'));
      expect(dataFiles.some((file) => file.includes('pg_wal'))).toBe(true);
      for (const file of dataFiles) {
        const content = fs.readFileSync(file, 'latin1');
        for (const value of forbidden(secrets)) expect(content.includes(value), `${value} in ${file}`).toBe(false);
      }
    }
  });

  it('seals secrets an earlier version stored in clear when it starts, and runs still get them', async () => {
    const server = await started();
    const secrets = newSecrets();
    await createSecretProduct(server, secrets, 'legacy-plan');
    // What an earlier version wrote: the same secrets in clear.
    const prisma = server.app.database.prisma;
    await prisma.$executeRawUnsafe(`UPDATE "InventoryItem" SET "secretAttributes" = $1::jsonb WHERE kind = 'SIM'`, JSON.stringify({ ki: secrets.ki, opc: secrets.opc }));
    const product = await prisma.product.findUniqueOrThrow({ where: { slug: 'legacy-plan' } });
    const schema = product.variableSchema as { properties: Record<string, Record<string, unknown>> };
    schema.properties['token']!['default'] = secrets.token;
    await prisma.$executeRawUnsafe(
      `UPDATE "Product" SET "variableSchema" = $1::jsonb, "defaultVariables" = $2::jsonb WHERE id = $3::uuid`,
      JSON.stringify(schema),
      JSON.stringify({ pin: secrets.pin, plan: 'basic' }),
      product.id,
    );
    expect(await databaseText(server.app)).toContain(secrets.ki);
    await server.app.stop();

    const again = await restarted(server);
    const rows = await databaseText(again.app);
    for (const value of [secrets.ki, secrets.opc, secrets.token, String(secrets.pin)]) expect(rows).not.toContain(value);
    expect(await digestsOfRun(again, server.config.labDir, 'legacy-plan', secrets.apiKey)).toEqual(expectedDigests(secrets));
    if (profile === 'embedded') {
      // The tables were rewritten: no old row version keeps the clear copy (the WAL recycles later).
      await again.app.stop();
      for (const file of filesUnder(path.join(server.config.dataDir, 'pgdata/base'))) {
        expect(fs.readFileSync(file, 'latin1').includes(secrets.ki), file).toBe(false);
      }
    }
  });

  it('refuses to start when the stored secrets do not open with its key, and never replaces a lost key file', async () => {
    const server = await started();
    const secrets = newSecrets();
    await createSecretProduct(server, secrets, 'keyed-plan');
    await server.app.stop();

    const wrongKey = randomBytes(32).toString('base64');
    await expect(restarted(server, { secretKeys: [wrongKey] })).rejects.toThrow(/stored secrets do not open with the keys from PROVISIO_SECRET_KEY/);
    if (profile === 'embedded') {
      const keyFile = path.join(server.config.dataDir, 'secret-key');
      fs.renameSync(keyFile, `${keyFile}.away`);
      await expect(restarted(server)).rejects.toThrow(/key file .*secret-key is missing/);
      expect(fs.existsSync(keyFile)).toBe(false);
      fs.renameSync(`${keyFile}.away`, keyFile);
    }
    const again = await restarted(server);
    expect(await digestsOfRun(again, server.config.labDir, 'keyed-plan', secrets.apiKey)).toEqual(expectedDigests(secrets));
  });

  it('rotates the key: a new first key, `npm run secrets -- rotate`, and then the old key can go', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const server = await started({ secretKeys: [oldKey] });
    const secrets = newSecrets();
    await createSecretProduct(server, secrets, 'rotated-plan');
    expect(await digestsOfRun(server, server.config.labDir, 'rotated-plan', secrets.apiKey)).toEqual(expectedDigests(secrets));
    await server.app.stop();

    const env = {
      PROVISIO_DATA_DIR: server.config.dataDir,
      DATABASE_URL: server.config.databaseUrl ?? '',
      PROVISIO_SECRET_KEY: `${newKey},${oldKey}`,
    };
    const rotate = await execa('npm', ['run', '--silent', 'secrets', '--', 'rotate'], { cwd: repoRoot, env, reject: false });
    expect(rotate.exitCode, rotate.stderr).toBe(0);
    expect(rotate.stdout).toMatch(/^[1-9]\d* secrets moved under key [0-9a-f]{12}, 0 found in clear and sealed$/m);
    expect(rotate.stdout).toContain('the older keys can be removed');

    const again = await restarted(server, { secretKeys: [newKey] });
    expect(await digestsOfRun(again, server.config.labDir, 'rotated-plan', secrets.apiKey)).toEqual(expectedDigests(secrets));
    await again.app.stop();
    const status = await execa('npm', ['run', '--silent', 'secrets', '--', 'status'], { cwd: repoRoot, env: { ...env, PROVISIO_SECRET_KEY: newKey }, reject: false });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^ {2}[0-9a-f]{12} \(current\): \d+$/m);
    expect(status.stdout.match(/^ {2}\S+/gm)).toHaveLength(1);
  });
});
