import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { SecretKeyError, type SecretBox } from '../../domain/secrets/index.ts';

/**
 * Envelope encryption with AES-256-GCM from node:crypto. Values are sealed with a random data key,
 * and the data key is wrapped by a master key the operator holds. A sealed value reads
 *
 *   pvs1:<key id>:<wrapped data key>:<sealed value>      (base64url: iv ‖ ciphertext ‖ tag)
 *
 * so rotating the master key re-wraps 32-byte data keys and never touches the values, and the key
 * id says which master key opens a value. The value is bound to its name (additional data), so a
 * sealed Ki cannot be passed off as another attribute.
 *
 * A data key seals up to DATA_KEY_USES values (a random 96-bit nonce each, far below the 2^32
 * that GCM allows per key) before a fresh one is drawn, and unwrapped data keys are cached: a
 * fresh data key and an unwrap per value would double the cost of an import of 10,000 SIMs.
 */
const VERSION = 'pvs1';
/** Every sealed value starts with this. */
export const SEALED_PREFIX = `${VERSION}:`;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const MASTER_KEY_BYTES = 32;
const DATA_KEY_USES = 2 ** 20;
const UNWRAPPED_CACHE_SIZE = 1000;

export interface MasterKey {
  id: string;
  key: Buffer;
}

/** The key id: a keyed hash of the key, so it names the key without saying anything about it. */
export function masterKey(key: Buffer): MasterKey {
  if (key.length !== MASTER_KEY_BYTES) throw new Error(`a master key is ${MASTER_KEY_BYTES} bytes (got ${key.length})`);
  return { id: createHmac('sha256', key).update('provisio secret key id').digest('hex').slice(0, 12), key };
}

/** A box over a keyring: the first key seals, every key opens (the others are kept for rotation). */
export function createEnvelopeSecretBox(keys: MasterKey[]): SecretBox {
  const current = keys[0];
  if (!current) throw new Error('the secret keyring is empty');
  const byId = new Map(keys.map((key) => [key.id, key]));
  const prefix = SEALED_PREFIX;

  function parse(sealed: string): { keyId: string; wrapped: string; data: string } {
    const parts = sealed.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretKeyError('not a sealed secret');
    return { keyId: parts[1]!, wrapped: parts[2]!, data: parts[3]! };
  }

  const unwrapped = new LRUCache<string, Buffer>({ max: UNWRAPPED_CACHE_SIZE });
  function unwrap(keyId: string, wrapped: string): Buffer {
    const cached = unwrapped.get(`${keyId}:${wrapped}`);
    if (cached) return cached;
    const master = byId.get(keyId);
    if (!master) throw new SecretKeyError(`a secret is sealed under key ${keyId}, which is not in the keyring (held: ${[...byId.keys()].join(', ')})`);
    let dataKey: Buffer;
    try {
      dataKey = decrypt(master.key, Buffer.from(wrapped, 'base64url'), `${VERSION}:${keyId}`);
    } catch {
      throw new SecretKeyError(`the data key of a secret under key ${keyId} does not open: altered in storage`);
    }
    unwrapped.set(`${keyId}:${wrapped}`, dataKey);
    return dataKey;
  }

  function wrap(dataKey: Buffer): string {
    return `${current!.id}:${encrypt(current!.key, dataKey, `${VERSION}:${current!.id}`).toString('base64url')}`;
  }

  let sealing: { key: Buffer; wrapped: string; uses: number } | undefined;
  function sealingKey(): { key: Buffer; wrapped: string } {
    if (!sealing || sealing.uses >= DATA_KEY_USES) {
      const key = randomBytes(MASTER_KEY_BYTES);
      sealing = { key, wrapped: wrap(key), uses: 0 };
    }
    sealing.uses++;
    return sealing;
  }

  return {
    currentKeyId: current.id,
    sealedPrefix: prefix,
    seal(name, value) {
      const dataKey = sealingKey();
      const data = encrypt(dataKey.key, Buffer.from(JSON.stringify(value) ?? 'null'), name);
      return `${prefix}${dataKey.wrapped}:${data.toString('base64url')}`;
    },
    open(name, sealed) {
      const { keyId, wrapped, data } = parse(sealed);
      const dataKey = unwrap(keyId, wrapped);
      let plain: Buffer;
      try {
        plain = decrypt(dataKey, Buffer.from(data, 'base64url'), name);
      } catch {
        throw new SecretKeyError(`the secret "${name}" does not open: altered in storage, or moved from another name`);
      }
      return JSON.parse(plain.toString('utf8')) as unknown;
    },
    keyIdOf(value) {
      if (typeof value !== 'string' || !value.startsWith(prefix)) return undefined;
      const keyId = value.slice(prefix.length, value.indexOf(':', prefix.length));
      return /^[0-9a-f]{12}$/.test(keyId) ? keyId : undefined;
    },
    rewrap(sealed) {
      const { keyId, wrapped, data } = parse(sealed);
      if (keyId === current.id) return sealed;
      return `${prefix}${wrap(unwrap(keyId, wrapped))}:${data}`;
    },
  };
}

function encrypt(key: Buffer, plain: Buffer, additionalData: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(additionalData));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function decrypt(key: Buffer, sealed: Buffer, additionalData: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(additionalData));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}
