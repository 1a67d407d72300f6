import { describe, expect, it } from 'vitest';
import { createMasker, encodeExtraVars, MASK, maskSecrets, VariablesError } from '../../src/runner/index.ts';
import { LogCollector } from '../../src/runner/log.ts';

describe('maskSecrets', () => {
  it('masks raw and escaped forms', () => {
    const s = 'pa"ss\\wörd';
    const text = `raw ${s} json ${JSON.stringify(s)} ascii "pa\\"ss\\\\w\\u00f6rd" repr 'pa"ss\\\\wörd'`;
    const out = maskSecrets(text, [s]);
    expect(out).not.toContain('pa"ss');
    expect(out).not.toContain('ss\\\\w');
    expect(out.split(MASK).length - 1).toBe(4);
  });

  it('masks the case variants and common encodings a playbook applies', () => {
    const ki = '000102030405060708090A0B0C0D0E0F';
    const b64 = Buffer.from(ki).toString('base64');
    const hex = Buffer.from(ki).toString('hex');
    const text = `lower ${ki.toLowerCase()} upper ${ki.toUpperCase()} b64 ${b64} unpadded ${b64.replace(/=+$/, '')} hex ${hex} HEX ${hex.toUpperCase()}`;
    const out = maskSecrets(text, [ki]);
    expect(out).toBe(`lower ${MASK} upper ${MASK} b64 ${MASK} unpadded ${MASK} hex ${MASK} HEX ${MASK}`);
  });

  it('masks the encodings of the secret upper- and lower-cased, not only as given', () => {
    const secret = 'Mixed-Case-Pa55word';
    const forms = [secret, secret.toUpperCase(), secret.toLowerCase()];
    const encodings = forms.flatMap((form) => {
      const base64 = Buffer.from(form).toString('base64');
      const hex = Buffer.from(form).toString('hex');
      return [base64, base64.replace(/=+$/, ''), hex, hex.toUpperCase()];
    });
    expect(new Set(encodings).size).toBe(12);
    const out = maskSecrets(encodings.map((encoded) => `[${encoded}]`).join(' '), [secret]);
    expect(out).toBe(encodings.map(() => `[${MASK}]`).join(' '));
    // A SIM's Ki is stored upper-case; `| lower | b64encode` in a playbook.
    const ki = '00112233445566778899AABBCCDDEEFF';
    const lowered = Buffer.from(ki.toLowerCase()).toString('base64');
    expect(maskSecrets(`b64 ${lowered}`, [ki])).toBe(`b64 ${MASK}`);
  });

  it('masks the longest secret first and ignores empty ones', () => {
    expect(maskSecrets('abcdef abc', ['abc', 'abcdef', ''])).toBe(`${MASK} ${MASK}`);
    expect(maskSecrets('nothing', [])).toBe('nothing');
    expect(maskSecrets('a.b a-b', ['a.b'])).toBe(`${MASK} a-b`);
  });

  it('masks lines of multi-line secrets', () => {
    const key = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0\n-----END KEY-----';
    expect(maskSecrets('+MIIEvQIBADANBgkqhkiG9w0\n', [key])).toBe(`+${MASK}\n`);
  });

  it('masks deep values and keys', () => {
    const m = createMasker(['s3cr3t']);
    expect(m.maskDeep({ a: ['x s3cr3t', 1, null, { s3cr3t: true }] })).toEqual({ a: [`x ${MASK}`, 1, null, { [MASK]: true }] });
  });
});

describe('LogCollector', () => {
  it('keeps everything under the limit and masks secrets split across chunks', () => {
    const log = new LogCollector(4096, createMasker(['TOPSECRET']));
    for (const part of ['aaa TOPS', 'EC', 'RET bbb']) log.push(Buffer.from(part));
    expect(log.finish()).toEqual({ text: `aaa ${MASK} bbb`, truncated: false });
  });

  it('keeps head and tail, and masks a secret cut by the limit', () => {
    const secret = 'S'.repeat(40);
    const log = new LogCollector(1024, createMasker([secret]));
    log.push(Buffer.from('h'.repeat(500) + secret + 'm'.repeat(5000)));
    log.push(Buffer.from('m'.repeat(3000) + secret.slice(0, 10)));
    log.push(Buffer.from(secret.slice(10) + 't'.repeat(480)));
    const { text, truncated } = log.finish();
    expect(truncated).toBe(true);
    expect(text).not.toContain('SSSSSSSS');
    expect(text.startsWith('h'.repeat(500))).toBe(true);
    expect(text.endsWith('t'.repeat(480))).toBe(true);
    expect(text).toMatch(/bytes of output omitted/);
    expect(Buffer.byteLength(text)).toBeLessThan(1200);
  });
});

describe('encodeExtraVars', () => {
  it('wraps every string as unsafe, keeps other JSON values', () => {
    const json = encodeExtraVars({ product: { a: '{{ x }}', n: 1, b: true, z: null, l: ['s', 2, { k: 'v' }] }, when: new Date(0) });
    expect(JSON.parse(json)).toEqual({
      product: {
        a: { __ansible_unsafe: '{{ x }}' },
        n: 1,
        b: true,
        z: null,
        l: [{ __ansible_unsafe: 's' }, 2, { k: { __ansible_unsafe: 'v' } }],
      },
      when: { __ansible_unsafe: '1970-01-01T00:00:00.000Z' },
    });
  });

  it('refuses reserved or invalid names', () => {
    expect(() => encodeExtraVars({ ansible_connection: 'ssh' })).toThrow(VariablesError);
    expect(() => encodeExtraVars({ 'not-an-identifier': 1 })).toThrow(VariablesError);
    expect(() => encodeExtraVars({ product: { nested: { __ansible_vault: 'x' } } })).toThrow(/reserved by Ansible/);
    expect(() => encodeExtraVars({ product: { big: 10n } })).toThrow(VariablesError);
  });
});
