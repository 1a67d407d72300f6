// Migrations on disk: prisma/migrations/<name>/migration.sql, read in name order, with the
// checksums Prisma stores in `_prisma_migrations`.
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationError } from './migration-error.ts';

/** The repository's prisma/migrations, found from this file rather than the working directory. */
export const defaultMigrationsDir: string = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

export const MIGRATION_LOCK_FILE = 'migration_lock.toml';

export interface MigrationFile {
  /** Folder name, e.g. `20261125120000_init`; also `migration_name` in `_prisma_migrations`. */
  name: string;
  script: string;
  /** sha256 hex of migration.sql, as Prisma computes it. */
  checksum: string;
}

export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/**
 * Whether a stored checksum matches a script, as Prisma decides: line endings may differ
 * (git autocrlf), and early Prisma versions stored hex without zero padding.
 */
export function checksumMatches(script: string, stored: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  return variants.some((s) => {
    const digest = createHash('sha256').update(s, 'utf8').digest();
    const hex = stored.length !== 0 && stored.length !== 64
      ? [...digest].map((b) => b.toString(16)).join('')
      : digest.toString('hex');
    return hex === stored;
  });
}

/** Reads `<dir>/<name>/migration.sql` in name order, like Prisma. Throws if the folder is missing. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new MigrationError(`Migrations folder ${dir} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  await checkLockfile(dir);
  const names = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      let script: string;
      try {
        script = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      } catch (err) {
        throw new MigrationError(`Migration ${name} has no readable migration.sql: ${(err as Error).message}`, { cause: err });
      }
      return { name, script, checksum: migrationChecksum(script) };
    }),
  );
}

async function checkLockfile(dir: string): Promise<void> {
  let lock: string;
  try {
    lock = await readFile(join(dir, MIGRATION_LOCK_FILE), 'utf8');
  } catch {
    return; // Prisma tolerates a missing lock file when applying.
  }
  const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(lock)?.[1];
  if (provider !== undefined && provider !== 'postgresql') {
    throw new MigrationError(`${join(dir, MIGRATION_LOCK_FILE)} says provider "${provider}"; these migrations are not for PostgreSQL (P3019).`);
  }
}
