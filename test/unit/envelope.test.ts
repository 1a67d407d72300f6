import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openProductSecrets, openValues, sealProductSecrets, sealValues, SecretKeyError } from '../../src/domain/secrets/box.ts';
import { createEnvelopeSecretBox, masterKey } from '../../src/infra/crypto/envelope.ts';
import { KeyringError, loadKeyring } from '../../src/infra/crypto/keyring.ts';

const newKey = () => masterKey(randomBytes(32));

describe('envelope encryption of secrets', () => {
  it('seals any JSON value so that only the same name under a held key opens it', () => {
    const box = createEnvelopeSecretBox([newKey()]);
    for (const value of ['A1B2C3D4E5F60718293A4B5C6D7E8F90', 4711, true, null, { user: 'x', pass: 'y' }, ['a', 1]]) {
      const sealed = box.seal('ki', value);
      expect(sealed).toMatch(new RegExp(`^pvs1:${box.currentKeyId}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$`));
      // The plaintext is nowhere in the sealed bytes (a text search would also hit the random key id: '4711' in 'c47114c00a8f').
      const sealedBytes = Buffer.concat(sealed.split(':').slice(2).map((part) => Buffer.from(part, 'base64url')));
      expect(sealedBytes.includes(Buffer.from(JSON.stringify(value)))).toBe(false);
      expect(box.open('ki', sealed)).toEqual(value);
      expect(box.keyIdOf(sealed)).toBe(box.currentKeyId);
    }
    // Random data key and nonce: the same value never seals the same way twice.
    expect(box.seal('ki', 'same')).not.toBe(box.seal('ki', 'same'));
    // Bound to its name: a sealed Ki passed off as the OPc does not open.
    expect(() => box.open('opc', box.seal('ki', 'secret'))).toThrow(SecretKeyError);
    // Any altered byte is refused (AEAD), in the wrapped data key or in the value.
    const sealed = box.seal('ki', 'secret');
    const [version, keyId, wrapped, data] = sealed.split(':') as [string, string, string, string];
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[bytes.length - 20]! ^= 1;
      return bytes.toString('base64url');
    };
    expect(() => box.open('ki', [version, keyId, flip(wrapped), data].join(':'))).toThrow(/altered/);
    expect(() => box.open('ki', [version, keyId, wrapped, flip(data)].join(':'))).toThrow(/altered/);
    expect(() => box.open('ki', 'pvs1:nonsense')).toThrow(SecretKeyError);
    for (const plain of ['plain', 42, 'pvs1:', 'pvs1:not-a-key-id:x:y', undefined]) expect(box.keyIdOf(plain)).toBeUndefined();
  });

  it('rotates by re-wrapping data keys: the new key opens what the old one sealed, a box without the key does not', () => {
    const oldKey = newKey();
    const newer = newKey();
    const before = createEnvelopeSecretBox([oldKey]);
    const sealed = before.seal('token', 's3cret');
    const rotating = createEnvelopeSecretBox([newer, oldKey]);
    expect(rotating.open('token', sealed)).toBe('s3cret');
    const rewrapped = rotating.rewrap(sealed);
    expect(rotating.keyIdOf(rewrapped)).toBe(newer.id);
    // Only the data key changed hands: the sealed value itself is the same bytes.
    expect(rewrapped.split(':')[3]).toBe(sealed.split(':')[3]);
    expect(rotating.rewrap(rewrapped)).toBe(rewrapped);
    const after = createEnvelopeSecretBox([newer]);
    expect(after.open('token', rewrapped)).toBe('s3cret');
    expect(() => after.open('token', sealed)).toThrow(new RegExp(`under key ${oldKey.id}, which is not in the keyring`));
  });

  it('seals secret maps and the secret defaults of a product, leaving the rest in clear', () => {
    const box = createEnvelopeSecretBox([newKey()]);
    const sealedMap = sealValues(box, { ki: 'K', opc: 'O' });
    expect(Object.keys(sealedMap)).toEqual(['ki', 'opc']);
    expect(openValues(box, sealedMap)).toEqual({ ki: 'K', opc: 'O' });
    // A value stored in clear by an earlier version is read as it is.
    expect(openValues(box, { ki: 'legacy' })).toEqual({ ki: 'legacy' });

    const product = {
      variableSchema: {
        type: 'object' as const,
        properties: { pin: { type: 'integer' as const, secret: true, default: 1234 }, plan: { type: 'string' as const, default: 'basic' } },
        required: [],
      },
      defaultVariables: { pin: 9999, plan: 'gold' },
    };
    const sealed = sealProductSecrets(box, product);
    expect(sealed.variableSchema.properties.plan.default).toBe('basic');
    expect(sealed.defaultVariables.plan).toBe('gold');
    expect(box.keyIdOf(sealed.variableSchema.properties.pin.default)).toBe(box.currentKeyId);
    expect(box.keyIdOf(sealed.defaultVariables.pin)).toBe(box.currentKeyId);
    expect(openProductSecrets(box, sealed)).toEqual(product);
  });
});

describe('the keyring', () => {
  const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-keyring-'));

  it('creates an owner-only key file beside the data on first start, and reads it back after', async () => {
    const file = path.join(tempDir(), 'data', 'secret-key');
    const first = await loadKeyring({ keys: [], defaultKeyFile: file, holdsSealedSecrets: async () => false });
    expect(first.created).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = await loadKeyring({ keys: [], defaultKeyFile: file, holdsSealedSecrets: async () => true });
    expect(again.created).toBe(false);
    expect(again.keys.map((key) => key.id)).toEqual(first.keys.map((key) => key.id));
  });

  it('never creates a key for a database that already holds sealed secrets', async () => {
    const file = path.join(tempDir(), 'secret-key');
    await expect(loadKeyring({ keys: [], defaultKeyFile: file, holdsSealedSecrets: async () => true })).rejects.toThrow(/holds encrypted secrets but their key file .* is missing/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('reads several keys from a key file (the first seals), warns when others can read it, and names a bad line', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'keys');
    const [a, b] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    fs.writeFileSync(file, `# rotated 2026-11\n${a}\n\n${b}  # previous\n`, { mode: 0o644 });
    const keyring = await loadKeyring({ keys: [], keyFile: file, defaultKeyFile: path.join(dir, 'unused'), holdsSealedSecrets: async () => false });
    expect(keyring.keys.map((key) => key.id)).toEqual([masterKey(Buffer.from(a, 'base64')).id, masterKey(Buffer.from(b, 'base64')).id]);
    expect(keyring.warning).toMatch(/can be read by others .*chmod 600/);
    fs.writeFileSync(file, `${a}\nshort\n`);
    await expect(loadKeyring({ keys: [], keyFile: file, defaultKeyFile: file, holdsSealedSecrets: async () => false })).rejects.toThrow(KeyringError);
    await expect(loadKeyring({ keys: [], keyFile: path.join(dir, 'absent'), defaultKeyFile: file, holdsSealedSecrets: async () => false })).rejects.toThrow(/does not exist/);
  });
});
