import { resealStoredSecrets, secretKeyUsage } from '../domain/secrets/index.ts';
import { configOrExit } from '../boot/entry.ts';
import { openDatabase } from '../infra/db/database.ts';
import { generateKeyText } from '../infra/crypto/keyring.ts';
import { createLogger } from '../logger.ts';
import { openSecretBox } from '../boot/secret-keys.ts';

// Secrets at rest, for the operator (same configuration as the server):
//   npm run secrets -- generate-key   a new master key, to put first in the key file or PROVISIO_SECRET_KEY
//   npm run secrets -- status         which keys seal the stored secrets
//   npm run secrets -- rotate         re-seal every stored secret under the first key
const USAGE = 'usage: npm run secrets -- generate-key | status | rotate';
const command = process.argv[2];

if (command === 'generate-key') {
  console.log(generateKeyText());
  process.exit(0);
}
if (command !== 'status' && command !== 'rotate') {
  console.error(USAGE);
  process.exit(2);
}
const config = configOrExit();
const logger = createLogger(process.env['LOG_LEVEL'] ? config.logLevel : 'warn');
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
try {
  const box = await openSecretBox(config, database.prisma, logger);
  if (command === 'rotate') {
    const report = await resealStoredSecrets(database.prisma, box, { rewrap: true });
    console.log(`${report.rewrapped} secrets moved under key ${box.currentKeyId}, ${report.sealed} found in clear and sealed`);
  }
  const usage = await secretKeyUsage(database.prisma, box);
  const lines = Object.entries(usage).map(([keyId, count]) => `  ${keyId}${keyId === box.currentKeyId ? ' (current)' : ''}: ${count}`);
  console.log(`stored secrets by key:\n${lines.join('\n') || '  none'}`);
  const old = Object.keys(usage).filter((keyId) => keyId !== box.currentKeyId);
  if (command === 'rotate' && old.length === 0) console.log('every secret is under the current key: the older keys can be removed');
  process.exitCode = old.length === 0 || command === 'status' ? 0 : 1;
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await database.close();
}
