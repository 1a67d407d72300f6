import fs from 'node:fs/promises';
import path from 'node:path';
import type { PrismaClient } from '#generated/prisma/client.ts';
import type { Logger } from '../../logger.ts';
import { generateKey, hashKey } from './api-keys.ts';

export interface BootstrapOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** PROVISIO_ADMIN_KEY: an admin key the operator chose, registered at start. */
  environmentKey?: string | undefined;
  /** Embedded profile: where to write a generated admin key when none is usable. */
  keyFile?: string | undefined;
}

export const ADMIN_KEY_FILE = 'admin-key';

/**
 * Makes sure somebody can get in, without ever opening the API to everybody: registers the
 * operator's PROVISIO_ADMIN_KEY, and on the embedded profile writes a fresh admin key to an
 * owner-only file when no usable admin key exists (first start, or every admin key revoked).
 */
export async function ensureAdminAccess(options: BootstrapOptions): Promise<void> {
  const { prisma, logger } = options;
  if (options.environmentKey) {
    const secretHash = hashKey(options.environmentKey);
    const existing = await prisma.apiKey.findUnique({ where: { secretHash } });
    if (!existing) {
      await prisma.apiKey.create({
        data: { name: 'admin (PROVISIO_ADMIN_KEY)', role: 'ADMIN', secretHash, prefix: '(PROVISIO_ADMIN_KEY)', createdBy: 'environment' },
      });
      logger.info('the admin key from PROVISIO_ADMIN_KEY was registered');
    } else if (existing.revokedAt) {
      logger.warn('PROVISIO_ADMIN_KEY names a revoked key: it stays revoked; set a new one');
    }
  }
  const usableAdmins = await prisma.apiKey.count({
    where: { role: 'ADMIN', revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
  });
  if (usableAdmins > 0) return;
  if (!options.keyFile) {
    logger.warn('no usable admin key: set PROVISIO_ADMIN_KEY to create one');
    return;
  }
  const { key, secretHash, prefix } = generateKey();
  // The file first: a crash before the row exists only leaves a key that does not work yet.
  await writeOwnerOnly(options.keyFile, `${key}\n`);
  await prisma.apiKey.create({ data: { name: 'admin (generated at first start)', role: 'ADMIN', secretHash, prefix, createdBy: 'bootstrap' } });
  logger.warn({ file: options.keyFile }, 'an admin API key was created and written to this file (readable by its owner only)');
}

async function writeOwnerOnly(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, content, { mode: 0o600 });
  await fs.chmod(temporary, 0o600);
  await fs.rename(temporary, file);
}
