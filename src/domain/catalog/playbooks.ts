import fs from 'node:fs/promises';
import path from 'node:path';

export interface PlaybookFile {
  /** Path relative to the playbooks directory, e.g. `voip-line/provision.yml`. */
  name: string;
  sizeBytes: number;
  modifiedAt: Date;
}

const PLAYBOOK_EXTENSION = /\.ya?ml$/;

/**
 * The one rule for playbook names, shared by the list products choose from and the lookup runs
 * use: relative, `/`-separated, no `.`/`..`/empty or hidden (dot) segments, ending in .yml/.yaml.
 * Returns why a name is not one, or null.
 */
export function playbookNameError(name: string): string | null {
  if (name.length === 0 || name.length > 255) return 'playbook name must be 1 to 255 characters';
  if (name.includes('\\') || name.includes('\0')) return 'playbook name must use / as separator and no control characters';
  if (path.posix.isAbsolute(name)) return 'playbook name must be relative to the playbooks directory, not an absolute path';
  if (name.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) return 'playbook name must not contain "..", "." or empty path segments';
  if (name.split('/').some((segment) => segment.startsWith('.'))) return 'playbook name must not contain hidden (dot) files or folders';
  if (!PLAYBOOK_EXTENSION.test(name)) return 'playbook name must end in .yml or .yaml';
  return null;
}

/** Playbook files available to products, for product forms. Hidden folders are skipped. */
export async function listPlaybooks(playbooksDir: string): Promise<PlaybookFile[]> {
  const entries = await fs.readdir(playbooksDir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const files: PlaybookFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    const name = path.relative(playbooksDir, absolute).split(path.sep).join('/');
    if (playbookNameError(name)) continue;
    const stat = await fs.stat(absolute);
    files.push({ name, sizeBytes: stat.size, modifiedAt: stat.mtime });
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Resolves a playbook name to its file, refusing anything that could leave the playbooks
 * directory (absolute paths, `..`, symlinks pointing out). Returns an error message or the path.
 */
export async function resolvePlaybook(playbooksDir: string, name: string): Promise<{ path: string } | { error: string }> {
  const error = playbookNameError(name);
  if (error) return { error };
  const root = await fs.realpath(playbooksDir).catch(() => undefined);
  if (!root) return { error: `the playbooks directory ${playbooksDir} does not exist` };
  const real = await fs.realpath(path.join(root, name)).catch(() => undefined);
  if (!real) return { error: `no playbook named ${name} (see the playbooks query for what exists)` };
  if (!real.startsWith(root + path.sep)) return { error: 'playbook resolves outside the playbooks directory' };
  const stat = await fs.stat(real);
  if (!stat.isFile()) return { error: `${name} is not a file` };
  return { path: real };
}

type SyntaxCheck = (playbookPath: string) => Promise<{ ok: true } | { ok: false; message: string }>;

/**
 * Remembers syntax-check results per file version (path, size, mtime): each check starts an
 * ansible-playbook process (seconds on a busy machine), and products reuse the same playbooks.
 */
export function cachedSyntaxCheck(check: SyntaxCheck): SyntaxCheck {
  const results = new Map<string, ReturnType<SyntaxCheck>>();
  return async (playbookPath) => {
    const stat = await fs.stat(playbookPath);
    const key = `${playbookPath}\0${stat.size}\0${stat.mtimeMs}`;
    let result = results.get(key);
    if (!result) {
      result = check(playbookPath);
      results.set(key, result);
      // A failure to run the check at all is not remembered.
      result.catch(() => results.delete(key));
    }
    return result;
  };
}
