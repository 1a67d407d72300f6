export const MASK = '********';

export interface Masker {
  /** Replace every secret (and its escaped forms) in a string. */
  mask(text: string): string;
  /** Copy of a JSON-like value with every string and object key masked. */
  maskDeep<T>(value: T): T;
  /** Longest searched form in UTF-8 bytes; a window this wide cannot hide a split secret. */
  readonly maxBytes: number;
  readonly active: boolean;
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

// Lines of multi-line secrets (keys, certificates) shorter than this are not
// masked on their own: they would mask innocent text like "-----".
const MIN_LINE_CHARS = 8;

function jsonInner(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

function asciiJsonInner(s: string): string {
  // Python's json.dumps(ensure_ascii=True) form: non-ASCII as lowercase \uXXXX.
  return jsonInner(s).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function pythonReprInner(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

/** What `b64encode` (padded or not) and a hex dump make of a text. */
function encodings(text: string): string[] {
  const bytes = Buffer.from(text);
  const base64 = bytes.toString('base64');
  return [base64, base64.replace(/=+$/, ''), bytes.toString('hex')];
}

/**
 * The forms in which a secret may show up in Ansible output: raw, JSON- and repr-escaped, per
 * line, and as the encodings a playbook commonly applies (base64, hex). Matching ignores case, so
 * the secret through `| lower` or `| upper`, and hex in either case, need no form of their own.
 * An encoding of a case-changed secret does (its base64 and hex differ from the secret's): the
 * encodings are of the secret as given and of its upper- and lower-case forms.
 */
function variants(secret: string): string[] {
  const out = new Set<string>([secret, jsonInner(secret), asciiJsonInner(secret), pythonReprInner(secret)]);
  for (const cased of new Set([secret, secret.toUpperCase(), secret.toLowerCase()])) for (const encoded of encodings(cased)) out.add(encoded);
  if (/[\r\n]/.test(secret)) {
    for (const line of secret.split(/\r?\n/)) {
      const t = line.trim();
      if (t.length >= MIN_LINE_CHARS) out.add(t);
    }
  }
  return [...out];
}

export function createMasker(secrets: readonly string[]): Masker {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (typeof s === 'string' && s.length > 0) for (const v of variants(s)) forms.add(v);
  }
  // Longest first so a secret containing another is masked whole.
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  const re = sorted.length > 0 ? new RegExp(sorted.map((f) => f.replace(REGEX_SPECIAL, '\\$&')).join('|'), 'gi') : null;
  const maxBytes = sorted.reduce((m, f) => Math.max(m, Buffer.byteLength(f)), 0);

  const mask = (text: string): string => (re === null || text.length === 0 ? text : text.replace(re, MASK));

  const deep = (value: unknown): unknown => {
    if (typeof value === 'string') return mask(value);
    if (Array.isArray(value)) return value.map(deep);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[mask(k)] = deep(v);
      return out;
    }
    return value;
  };

  return {
    mask,
    // The cast is the contract: masking keeps the shape of the value.
    maskDeep: <T>(value: T): T => (re === null ? value : (deep(value) as T)),
    maxBytes,
    active: re !== null,
  };
}

/** Replace every occurrence of each secret (raw or escaped as Ansible prints it) by `********`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return createMasker(secrets).mask(text);
}
