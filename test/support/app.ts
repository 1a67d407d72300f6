import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { inject } from 'vitest';
import { buildApp, type App } from '../../src/boot/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { seedDemoData } from '../../src/demo/seed.ts';
import type { Endpoint } from './client.ts';
import { createTestDatabase, postgresServerUrl } from './database.ts';

export interface TestApp extends Endpoint {
  app: App;
  url: string;
  /** An admin key, registered at start like PROVISIO_ADMIN_KEY. */
  key: string;
  config: Config;
  /** Stops the server and removes its data (temp dir or test database). */
  close(): Promise<void>;
}

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * On PostgreSQL, the apps of one test file that share a database share this key for secrets at
 * rest, as the instances of a cluster must; on the embedded profile the data directory holds it.
 */
export const suiteSecretKey = randomBytes(32).toString('base64');

/** A key as an operator would pass in PROVISIO_ADMIN_KEY. */
export const newAdminKey = () => `test-admin-${randomBytes(24).toString('base64url')}`;

/** A fresh embedded data directory: a copy of the initialised template (no migrations applied yet). */
export function freshDataDir(): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-test-'));
  fs.cpSync(inject('pgliteTemplate'), dataDir, { recursive: true });
  return dataDir;
}

/** Starts the real server on a free port, on the profile the suite runs on, with its own data. */
export async function startTestApp(overrides: Partial<Config> = {}, options: { demo?: boolean } = {}): Promise<TestApp> {
  const dataDir = freshDataDir();
  const database = postgresServerUrl ? await createTestDatabase(postgresServerUrl) : undefined;
  const key = newAdminKey();
  const config = loadConfig(
    { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    {
      port: 0,
      dataDir,
      databaseUrl: database?.url,
      playbooksDir: path.join(repoRoot, 'playbooks'),
      labDir: path.join(dataDir, 'lab'),
      shutdownGraceMs: 2000,
      // Seeding is automatic only on a fresh embedded database; tests ask for it explicitly on either profile.
      seedDemoData: false,
      // The lab's real elements are started by the tests that are about them (test/lab/).
      lab: 'off',
      adminKey: key,
      ...(database ? { secretKeys: [suiteSecretKey] } : {}),
      ...overrides,
    },
  );
  const app = buildApp(config, { logger: pino({ level: config.logLevel }) });
  try {
    const { url } = await app.start();
    if (options.demo) await seedDemoData(app.context);
    return {
      app,
      url,
      key,
      config,
      async close() {
        await app.stop();
        await database?.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await app.stop().catch(() => {});
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
