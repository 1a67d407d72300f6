import { Ajv } from 'ajv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mergeVariables, parseVariableSchema, secretValues, validateVariables } from '../../src/domain/catalog/variables.ts';

const schema = () =>
  parseVariableSchema({
    type: 'object',
    properties: { apn: { type: 'string', enum: ['internet', 'ims'], default: 'internet' }, speed: { type: 'integer', minimum: 1 } },
    required: ['apn'],
  });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('variable validators', () => {
  it('are compiled once per schema content, however many equal schema objects arrive', () => {
    const compile = vi.spyOn(Ajv.prototype, 'compile');
    for (let i = 0; i < 50; i++) expect(validateVariables(schema(), { apn: 'ims', speed: 2 }, 'variables')).toEqual({ apn: 'ims', speed: 2 });
    // Each fresh object used to be compiled (and kept by ajv) again: ~2 ms and ~5 KB per provision.
    expect(compile.mock.calls.length).toBeLessThanOrEqual(2);
    expect(() => validateVariables(schema(), { apn: 'wap' }, 'variables')).toThrow(/variables\.apn/);
  });

  it('are bounded: the least recently used are dropped from ajv as well', () => {
    const remove = vi.spyOn(Ajv.prototype, 'removeSchema');
    for (let i = 0; i < 700; i++) {
      validateVariables(parseVariableSchema({ type: 'object', properties: { [`v${i}`]: { type: 'string' } } }), {}, 'variables');
    }
    expect(remove.mock.calls.length).toBeGreaterThanOrEqual(700 - 500);
  });
});

describe('secret values', () => {
  it('are every secret variable the playbook gets, whoever set it: schema default, product default or request', () => {
    const secretSchema = parseVariableSchema({
      type: 'object',
      properties: {
        api_token: { type: 'string', secret: true, default: 'schema-default-token' },
        radius_secret: { type: 'string', secret: true },
        sip_password: { type: 'string', secret: true },
        pin: { type: 'integer', secret: true, default: 4321 },
        plan: { type: 'string', default: 'gold' },
      },
    });
    const merged = mergeVariables(secretSchema, { radius_secret: 'product-default-secret' }, { sip_password: 'request-secret' });
    expect(secretValues(secretSchema, merged).sort()).toEqual(['4321', 'product-default-secret', 'request-secret', 'schema-default-token']);
  });
});
