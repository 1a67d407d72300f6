import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { masterKey, MASTER_KEY_BYTES, type MasterKey } from './envelope.ts';

export const SECRET_KEY_FILE = 'secret-key';
export const KEY_FORMAT_HINT = `a key is ${MASTER_KEY_BYTES} random bytes in base64, e.g. from \`openssl rand -base64 32\` or \`npm run secrets -- generate-key\``;

export interface KeyringSource {
  /** PROVISIO_SECRET_KEY: keys in order, the first seals. */
  keys: string[];
  /** PROVISIO_SECRET_KEY_FILE: one key per line, the first seals; # starts a comment. */
  keyFile?: string | undefined;
  /** Where the key is kept when neither is set: beside the data, created on first start. */
  defaultKeyFile: string;
  /** Asked before a key is created: a database that already holds sealed secrets needs its own key, not a new one. */
  holdsSealedSecrets(): Promise<boolean>;
}

export interface Keyring {
  keys: MasterKey[];
  /** Where the keys came from, for logs and errors (never the keys). */
  source: string;
  created: boolean;
  /** Set when the key file can be read by others than its owner. */
  warning?: string | undefined;
}

export class KeyringError extends Error {}

/** Whether a text is a valid key; the message says what is wrong with it. */
export function checkKeyText(text: string): string | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return `not base64: ${KEY_FORMAT_HINT}`;
  const bytes = Buffer.from(text, 'base64').length;
  return bytes === MASTER_KEY_BYTES ? undefined : `${bytes} bytes: ${KEY_FORMAT_HINT}`;
}

export function generateKeyText(): string {
  return randomBytes(MASTER_KEY_BYTES).toString('base64');
}

/** Loads the master keys from the environment, a key file, or the default key file (created if absent and allowed). */
export async function loadKeyring(source: KeyringSource): Promise<Keyring> {
  if (source.keys.length > 0) return { keys: parseKeys(source.keys, 'PROVISIO_SECRET_KEY'), source: 'PROVISIO_SECRET_KEY', created: false };
  const file = source.keyFile ?? source.defaultKeyFile;
  const text = await readIfExists(file);
  if (text !== undefined) {
    const lines = text.split('\n').map((line) => line.replace(/#.*/, '').trim()).filter(Boolean);
    if (lines.length === 0) throw new KeyringError(`the secret key file ${file} holds no key: ${KEY_FORMAT_HINT}`);
    const mode = (await fs.stat(file)).mode & 0o777;
    const warning = mode & 0o077 ? `the secret key file ${file} can be read by others than its owner (mode ${mode.toString(8)}): chmod 600 it` : undefined;
    return { keys: parseKeys(lines, file), source: file, created: false, warning };
  }
  if (source.keyFile) throw new KeyringError(`PROVISIO_SECRET_KEY_FILE names ${file}, which does not exist`);
  if (await source.holdsSealedSecrets()) {
    throw new KeyringError(
      `the database holds encrypted secrets but their key file ${file} is missing: restore it, or set PROVISIO_SECRET_KEY or PROVISIO_SECRET_KEY_FILE to the key (a new key would not open them)`,
    );
  }
  await writeOwnerOnly(file, `${generateKeyText()}\n`);
  const created = await fs.readFile(file, 'utf8');
  return { keys: parseKeys([created.trim()], file), source: file, created: true };
}

function parseKeys(texts: string[], where: string): MasterKey[] {
  return texts.map((text, index) => {
    const problem = checkKeyText(text);
    if (problem) throw new KeyringError(`${where}: key ${index + 1} is ${problem}`);
    return masterKey(Buffer.from(text, 'base64'));
  });
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Exclusive create: two processes never each write a different key. */
async function writeOwnerOnly(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await fs.writeFile(file, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
