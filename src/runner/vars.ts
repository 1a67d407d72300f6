// Extra vars encoding (invariant 5: request/inventory values are data, never templates).
//
// Ansible templates extra vars. Its JSON loader (AnsibleJSONDecoder, used for
// `-e @file`) turns `{"__ansible_unsafe": "..."}` into an AnsibleUnsafeText,
// which Jinja never evaluates, also after copies into facts or registered
// vars. Every string value is wrapped that way; dict keys are not templated
// by Ansible, so they stay plain.

export class VariablesError extends Error {
  override name = 'VariablesError';
}

const UNSAFE = '__ansible_unsafe';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function wrap(value: unknown, path: string): unknown {
  if (typeof value === 'string') return { [UNSAFE]: value };
  if (Array.isArray(value)) return value.map((v, i) => wrap(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // The decoder replaces any dict holding such a key (the value would not arrive as sent).
      if (k.startsWith('__ansible')) throw new VariablesError(`variable key "${path}.${k}" is reserved by Ansible`);
      out[k] = wrap(v, `${path}.${k}`);
    }
    return out;
  }
  return value; // number, boolean, null
}

/**
 * JSON text for `-e @file`: every string wrapped as unsafe.
 * Values go through JSON first (Dates become strings, undefined is dropped).
 */
export function encodeExtraVars(variables: Record<string, unknown>): string {
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
    throw new VariablesError('variables must be a plain object');
  }
  for (const key of Object.keys(variables)) {
    if (!IDENTIFIER.test(key)) throw new VariablesError(`top-level variable "${key}" is not a valid Ansible variable name`);
    // Extra vars win over everything: request data must not steer connection/interpreter settings.
    if (key.startsWith('ansible_')) throw new VariablesError(`top-level variable "${key}" is reserved for the runner`);
  }
  let plain: unknown;
  try {
    plain = JSON.parse(JSON.stringify(variables));
  } catch (e) {
    throw new VariablesError(`variables are not JSON-serializable: ${e instanceof Error ? e.message : String(e)}`);
  }
  return JSON.stringify(wrap(plain, '$'));
}
