import { constants as fsc } from 'node:fs';
import { access, chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExeca } from './execa.ts';
import { isPidRunning } from './process-identity.ts';

/** Directory holding the `provisio_events` callback plugin. */
export const CALLBACK_PLUGIN_DIR = fileURLToPath(new URL('./ansible/callback_plugins', import.meta.url));
export const CALLBACK_NAME = 'provisio_events';
/** Exit code of ansible-playbook when the plugin found its event fd unusable. */
export const PLUGIN_FATAL_EXIT_CODE = 97;
export const EVENT_FD = 3;
export const RUN_DIR_PREFIX = 'provisio-run-';
/** Under a run's private dir: the sockets of its reusable SSH connections. */
export const SSH_CONTROL_DIR = 'ssh-cp';

export class AnsibleNotFoundError extends Error {
  override name = 'AnsibleNotFoundError';
  constructor(command: string) {
    super(
      `ansible-playbook not found (looked for "${command}"${command.includes('/') ? '' : ' on PATH'}): ` +
        'install ansible-core (e.g. apt-get install ansible-core) or set PROVISIO_ANSIBLE_PLAYBOOK',
    );
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of ansible-playbook (`command`: a path, or a name looked up on PATH; the server
 * passes PROVISIO_ANSIBLE_PLAYBOOK from its configuration); throws AnsibleNotFoundError.
 */
export async function resolveAnsiblePlaybook(command?: string): Promise<string> {
  const cmd = command ?? 'ansible-playbook';
  if (cmd.includes('/')) {
    if (await isExecutable(cmd)) return cmd;
    throw new AnsibleNotFoundError(cmd);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, cmd);
    if (await isExecutable(candidate)) return candidate;
  }
  throw new AnsibleNotFoundError(cmd);
}

/** Another Ansible command (`ansible-inventory`), from the same install as ansible-playbook. */
export async function resolveAnsibleTool(tool: string, ansiblePlaybook?: string): Promise<string> {
  const playbook = await resolveAnsiblePlaybook(ansiblePlaybook);
  const sibling = join(dirname(playbook), tool);
  if (await isExecutable(sibling)) return sibling;
  throw new AnsibleNotFoundError(sibling);
}

/** A private (0700) directory for one ansible invocation, removed by `dispose`. */
export interface PrivateDir {
  path: string;
  /** Write a 0600 file that must not exist yet. */
  write(name: string, data: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function createPrivateDir(): Promise<PrivateDir> {
  // The owner's pid in the name lets a later process tell an orphan (its owner died) from a live run.
  const path = await mkdtemp(join(tmpdir(), `${RUN_DIR_PREFIX}${process.pid}-`));
  await chmod(path, 0o700); // mkdtemp already uses 0700; be explicit against odd umasks
  return {
    path,
    async write(name, data) {
      const file = join(path, name);
      await writeFile(file, data, { mode: 0o600, flag: 'wx' });
      return file;
    },
    async dispose() {
      await rm(path, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/**
 * Removes the private directories of processes that died without cleaning up (kill -9): their
 * owner's pid (in the name) no longer runs. Directories of live processes are left alone. Returns
 * how many were removed.
 */
export async function sweepOrphanedRunDirs(directory = tmpdir()): Promise<number> {
  const pattern = new RegExp(`^${RUN_DIR_PREFIX}(\\d+)-`);
  let removed = 0;
  for (const name of await readdir(directory).catch(() => [] as string[])) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!pid || pid === process.pid || isPidRunning(pid)) continue;
    await rm(join(directory, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

// Only these are taken from the runner's own environment: the server's env
// (database URLs, tokens) must not be readable by playbooks.
const PASS_THROUGH = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'];

function withPrefix(first: string, rest: string | undefined, sep: string): string {
  return rest ? `${first}${sep}${rest}` : first;
}

/**
 * Environment for ansible-playbook: hermetic (nothing in ~/.ansible, no retry
 * files, temp files inside the private dir) with our callback enabled.
 */
export function buildAnsibleEnv(dir: string, extra: Record<string, string> = {}, withPlugin = true): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASS_THROUGH) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  Object.assign(env, extra);
  const home = env.HOME ?? process.env.HOME ?? '/root';
  const locale = env.LC_ALL ?? env.LC_CTYPE ?? env.LANG ?? '';
  if (!/utf-?8/i.test(locale)) env.LC_ALL = 'C.UTF-8'; // ansible-core refuses non-UTF-8 locales

  // Where content is looked up: keep the usual places even though ANSIBLE_HOME moves.
  env.ANSIBLE_COLLECTIONS_PATH ??= `${home}/.ansible/collections:/usr/share/ansible/collections`;
  env.ANSIBLE_ROLES_PATH ??= `${home}/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles`;
  env.ANSIBLE_STDOUT_CALLBACK ??= 'default';

  // Not overridable: these keep secrets off disk and the event stream intact.
  env.ANSIBLE_HOME = join(dir, 'ansible-home');
  env.ANSIBLE_LOCAL_TEMP = join(dir, 'local-tmp');
  env.ANSIBLE_REMOTE_TEMP = join(dir, 'remote-tmp');
  env.ANSIBLE_ASYNC_DIR = join(dir, 'async'); // job results (module output) default to ~/.ansible_async
  // SSH connections kept open for reuse are the run's own (the default, ~/.ansible/cp, would let
  // one run reuse another's authenticated connection to the same host).
  env.ANSIBLE_SSH_CONTROL_PATH_DIR = join(dir, SSH_CONTROL_DIR);
  env.ANSIBLE_PERSISTENT_CONTROL_PATH_DIR = join(dir, 'persistent');
  env.TMPDIR = dir;
  env.ANSIBLE_RETRY_FILES_ENABLED = 'false';
  env.ANSIBLE_KEEP_REMOTE_FILES = 'false';
  env.ANSIBLE_DISPLAY_ARGS_TO_STDOUT = 'false';
  env.ANSIBLE_NOCOLOR = '1';
  env.ANSIBLE_FORCE_COLOR = '0';
  env.ANSIBLE_LOCALHOST_WARNING = 'false';
  env.PYTHONDONTWRITEBYTECODE = '1'; // no __pycache__ next to the plugin
  env.PYTHONUNBUFFERED = '1';
  delete env.ANSIBLE_LOG_PATH;
  delete env.ANSIBLE_DEBUG;
  if (withPlugin) {
    env.ANSIBLE_CALLBACK_PLUGINS = withPrefix(CALLBACK_PLUGIN_DIR, extra.ANSIBLE_CALLBACK_PLUGINS, ':');
    env.ANSIBLE_CALLBACKS_ENABLED = withPrefix(CALLBACK_NAME, extra.ANSIBLE_CALLBACKS_ENABLED, ',');
    env.PROVISIO_EVENT_FD = String(EVENT_FD);
  } else {
    delete env.PROVISIO_EVENT_FD;
  }
  return env;
}

/** Inventory with only localhost, run locally by the Python that runs Ansible. */
export function localInventory(): string {
  // JSON is valid YAML; the interpreter is a template Ansible must evaluate, so it is not unsafe-wrapped.
  return JSON.stringify({
    all: {
      hosts: {
        localhost: {
          ansible_connection: 'local',
          ansible_python_interpreter: '{{ ansible_playbook_python }}',
        },
      },
    },
  });
}

export interface AnsibleVersion {
  /** ansible-core version, e.g. "2.14.18". */
  core: string;
  python: string | null;
  pythonExecutable: string | null;
  jinja: string | null;
  raw: string;
}

export async function ansibleVersion(options: { ansiblePlaybook?: string } = {}): Promise<AnsibleVersion> {
  const bin = await resolveAnsiblePlaybook(options.ansiblePlaybook);
  const dir = await createPrivateDir();
  try {
    const execa = await loadExeca();
    const r = await execa(bin, ['--version'], {
      env: buildAnsibleEnv(dir.path, {}, false),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: 30_000,
      cwd: dir.path,
    });
    const raw = r.stdout;
    const core = /\[core ([^\]]+)\]/.exec(raw)?.[1] ?? /^ansible-playbook\s+(\S+)/m.exec(raw)?.[1];
    if (r.exitCode !== 0 || core === undefined) {
      throw new Error(`ansible-playbook --version failed (exit ${String(r.exitCode)}): ${(r.stderr || raw).slice(0, 2000)}`);
    }
    const py = /python version = (\S+).*\(([^()]+)\)\s*$/m.exec(raw);
    return {
      core,
      python: py?.[1] ?? null,
      pythonExecutable: py?.[2] ?? null,
      jinja: /jinja version = (\S+)/.exec(raw)?.[1] ?? null,
      raw,
    };
  } finally {
    await dir.dispose();
  }
}

export type SyntaxCheckResult = { ok: true } | { ok: false; message: string };

/** `ansible-playbook --syntax-check`; the message is Ansible's error text. */
export async function syntaxCheck(
  playbookPath: string,
  options: { ansiblePlaybook?: string; env?: Record<string, string> } = {},
): Promise<SyntaxCheckResult> {
  const bin = await resolveAnsiblePlaybook(options.ansiblePlaybook);
  const dir = await createPrivateDir();
  try {
    const inventory = await dir.write('inventory.yml', localInventory());
    const execa = await loadExeca();
    const r = await execa(bin, ['--syntax-check', '-i', inventory, '--', playbookPath], {
      env: buildAnsibleEnv(dir.path, options.env, false),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: 60_000,
      cwd: dir.path,
    });
    if (r.exitCode === 0) return { ok: true };
    const text = [r.stderr, r.stdout].filter((s) => s.trim().length > 0).join('\n').trim();
    const message = text || `ansible-playbook --syntax-check failed (${r.signal ?? `exit ${String(r.exitCode)}`})`;
    return { ok: false, message: message.length > 8000 ? `${message.slice(0, 8000)}…` : message };
  } finally {
    await dir.dispose();
  }
}
