// A bench's command-line options (`--name=value` after the bench name).
import { parseArgs } from 'node:util';

/** `--name=value` / `--name value` options after the bench name; everything is optional. */
export function benchOptions(argv: string[] = process.argv.slice(2)): Map<string, string> {
  const { values } = parseArgs({ args: argv, strict: false, allowPositionals: true });
  const options = new Map<string, string>();
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string') options.set(key, value);
    else if (value === true) options.set(key, 'true');
  }
  return options;
}

export function numberOption(options: Map<string, string>, name: string, fallback: number): number {
  const raw = options.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return value;
}
