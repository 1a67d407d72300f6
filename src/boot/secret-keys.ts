import path from 'node:path';
import type { PrismaClient } from '#generated/prisma/client.ts';
import type { Config } from '../config.ts';
import { holdsSealedSecrets, verifySecretKey, type SecretBox } from '../domain/secrets/index.ts';
import { createEnvelopeSecretBox, SEALED_PREFIX } from '../infra/crypto/envelope.ts';
import { loadKeyring, SECRET_KEY_FILE } from '../infra/crypto/keyring.ts';
import type { Logger } from '../logger.ts';

/**
 * The secret box of an entry (server or command): master keys from the configuration, or the
 * key file beside the data (created on first start), checked against the secrets already stored.
 */
export async function openSecretBox(config: Config, prisma: PrismaClient, logger: Logger): Promise<SecretBox> {
  const keyring = await loadKeyring({
    keys: config.secretKeys,
    keyFile: config.secretKeyFile,
    defaultKeyFile: path.join(config.dataDir, SECRET_KEY_FILE),
    holdsSealedSecrets: () => holdsSealedSecrets(prisma, SEALED_PREFIX),
  });
  if (keyring.warning) logger.warn(keyring.warning);
  if (keyring.created) {
    logger.warn({ file: keyring.source }, 'a key for secrets at rest was created in this file (owner-only): back it up with the data, which cannot be read without it');
    if (config.databaseUrl) logger.warn('on PostgreSQL every instance needs the same key: set PROVISIO_SECRET_KEY_FILE (or PROVISIO_SECRET_KEY) on each');
  }
  const box = createEnvelopeSecretBox(keyring.keys);
  await verifySecretKey(prisma, box, keyring.source);
  logger.info({ keySource: keyring.source, keyId: box.currentKeyId, keys: keyring.keys.length }, 'secrets at rest are sealed with this key');
  return box;
}
