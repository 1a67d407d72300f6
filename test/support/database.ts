import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * The suite runs on the embedded profile by default; with TEST_DATABASE_URL=postgres://… every
 * test file gets a database of its own on that server, dropped afterwards.
 */
export const postgresServerUrl = process.env.TEST_DATABASE_URL || undefined;
export const profile = postgresServerUrl ? 'postgres' : 'embedded';

export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `provisio_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
