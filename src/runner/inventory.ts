// Target inventories: rendering them for ansible-playbook with every value as data, and reading
// standard Ansible inventories (YAML or INI) through Ansible's own parser.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadExeca } from './execa.ts';
import { buildAnsibleEnv, createPrivateDir, localInventory, resolveAnsibleTool, SSH_CONTROL_DIR, type PrivateDir } from './ansible.ts';

/** Hosts with their variables and groups of hosts (and of groups), as Ansible knows them. */
export interface Inventory {
  /** Variables of every host (Ansible's `all` group). */
  vars: Record<string, unknown>;
  hosts: Record<string, Record<string, unknown>>;
  groups: Record<string, InventoryGroup>;
}

export interface InventoryGroup {
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
}

export class InventoryError extends Error {
  override name = 'InventoryError';
}

const HOST = /^[A-Za-z0-9_.:-]{1,253}$/;
const GROUP = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Ansible host patterns (names, groups, wildcards, `:`/`,` unions, `:&` and `:!`), no regexes (`~`). */
const HOST_PATTERN = /^[A-Za-z0-9_.:*!&,[\]-]{1,1000}$/;

/** Ansible's own group names: they cannot be defined. */
const RESERVED_GROUPS = new Set(['all', 'ungrouped']);

/** What is wrong with an inventory, one message per problem (empty: it is fine). */
export function inventoryProblems(inventory: Inventory): string[] {
  const problems: string[] = [];
  const groups = Object.entries(inventory.groups);
  for (const [host, vars] of Object.entries(inventory.hosts)) {
    if (!HOST.test(host)) problems.push(`host "${host}": a host name is letters, digits, ".", "-", "_" and ":" (up to 253)`);
    problems.push(...variableProblems(`host "${host}"`, vars));
  }
  for (const [name, group] of groups) {
    if (!GROUP.test(name)) problems.push(`group "${name}": a group name is a letter or "_", then letters, digits and "_" (up to 64)`);
    if (RESERVED_GROUPS.has(name)) problems.push(`group "${name}" is Ansible's own: put variables for every host in a group of yours`);
    if (inventory.hosts[name] !== undefined) problems.push(`"${name}" is both a host and a group`);
    for (const host of group.hosts) if (inventory.hosts[host] === undefined) problems.push(`group "${name}" lists host "${host}", which is not in the inventory's hosts`);
    for (const child of group.children) if (inventory.groups[child] === undefined) problems.push(`group "${name}" lists child group "${child}", which is not defined`);
    problems.push(...variableProblems(`group "${name}"`, group.vars));
  }
  problems.push(...variableProblems('the inventory\'s vars', inventory.vars));
  const cycle = findCycle(inventory.groups);
  if (cycle) problems.push(`groups contain each other: ${cycle.join(' → ')}`);
  return problems;
}

function variableProblems(owner: string, vars: Record<string, unknown>): string[] {
  return Object.keys(vars)
    .filter((name) => !VARIABLE.test(name) || name.startsWith('__ansible'))
    .map((name) => `${owner}: "${name}" is not a valid Ansible variable name`);
}

function findCycle(groups: Record<string, InventoryGroup>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    for (const child of groups[name]?.children ?? []) {
      const cycle = visit(child, [...path, name]);
      if (cycle) return cycle;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(groups)) {
    const cycle = visit(name, []);
    if (cycle) return cycle;
  }
  return undefined;
}

export function isHostPattern(pattern: string): boolean {
  return HOST_PATTERN.test(pattern);
}

/**
 * The inventory as a YAML inventory file. Every string is tagged `!unsafe`, so Jinja never
 * evaluates a host variable (invariant 5, as for request variables). The text is YAML's flow
 * style, i.e. JSON with tags: JSON string escapes are valid in YAML double-quoted scalars.
 */
export function renderInventory(inventory: Inventory): string {
  const children = Object.fromEntries(
    Object.entries(inventory.groups).map(([name, group]) => [
      name,
      {
        hosts: Object.fromEntries(group.hosts.map((host) => [host, {}])),
        children: Object.fromEntries(group.children.map((child) => [child, {}])),
        vars: group.vars,
      },
    ]),
  );
  return unsafeYaml({ all: { vars: inventory.vars, hosts: inventory.hosts, children } }) + '\n';
}

function unsafeYaml(value: unknown): string {
  if (typeof value === 'string') return `!unsafe ${yamlString(value)}`;
  if (Array.isArray(value)) return `[${value.map(unsafeYaml).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, v]) => `${yamlString(key)}: ${unsafeYaml(v)}`).join(', ')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value) ?? 'null';
}

function yamlString(text: string): string {
  // YAML folds these line breaks inside double quotes, JSON leaves them raw: escape them.
  return JSON.stringify(text).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface AnsibleInventoryExport {
  _meta?: { hostvars?: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[]; vars?: Record<string, unknown> } | AnsibleInventoryExport['_meta'];
}

/**
 * Reads a standard Ansible inventory (YAML or INI, with ranges like `olt[01:04]`) with
 * `ansible-inventory --list --export`: Ansible's own parser, limited to the yaml and ini plugins
 * (the others can run code or reach the network). Variables come back as written, untemplated.
 */
export async function parseInventoryText(text: string, options: { ansiblePlaybook?: string | undefined } = {}): Promise<Inventory> {
  const bin = await resolveAnsibleTool('ansible-inventory', options.ansiblePlaybook);
  const dir = await createPrivateDir();
  try {
    const file = await dir.write('inventory', text);
    const env = { ...buildAnsibleEnv(dir.path, {}, false), ANSIBLE_INVENTORY_ENABLED: 'yaml,ini', ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true', ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'true' };
    const execa = await loadExeca();
    const result = await execa(bin, ['-i', file, '--list', '--export'], { env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 30_000, cwd: dir.path });
    if (result.exitCode !== 0) {
      const reason = result.stderr.split('\n').map((line) => line.replace(file, '<inventory>').trim()).filter((line) => line && !line.startsWith('[WARNING]: Unable to parse')).join(' ').slice(0, 1000);
      throw new InventoryError(`the inventory cannot be read as YAML or INI: ${reason || `ansible-inventory exited ${String(result.exitCode)}`}`);
    }
    return fromExport(JSON.parse(result.stdout) as AnsibleInventoryExport);
  } finally {
    await dir.dispose();
  }
}

function fromExport(data: AnsibleInventoryExport): Inventory {
  const hostvars = data._meta?.hostvars ?? {};
  const hosts: Record<string, Record<string, unknown>> = {};
  const groups: Record<string, InventoryGroup> = {};
  let vars: Record<string, unknown> = {};
  const addHost = (host: string) => (hosts[host] ??= { ...(hostvars[host] ?? {}) });
  for (const [name, entry] of Object.entries(data)) {
    if (name === '_meta' || entry === undefined) continue;
    const group = entry as { hosts?: string[]; children?: string[]; vars?: Record<string, unknown> };
    for (const host of group.hosts ?? []) addHost(host);
    if (RESERVED_GROUPS.has(name)) {
      if (name === 'all') vars = group.vars ?? {};
      continue;
    }
    groups[name] = { hosts: group.hosts ?? [], children: (group.children ?? []).filter((child) => !RESERVED_GROUPS.has(child)), vars: group.vars ?? {} };
  }
  for (const host of Object.keys(hostvars)) addHost(host);
  return { vars, hosts, groups };
}

/** Where a run's playbook goes: a target's inventory, optionally narrowed to a host pattern. */
export interface RunTarget {
  inventory: Inventory;
  /** known_hosts lines; empty: host keys are accepted as first seen (a run's file, discarded after it). */
  knownHosts: string;
  /** Host pattern (`--limit`); absent: every host of the inventory. */
  limit?: string | undefined;
}

/** Writes the run's inventory (localhost alone without a target): the arguments that use it. */
export async function writeTarget(dir: PrivateDir, target: RunTarget | undefined): Promise<string[]> {
  if (!target) return ['-i', await dir.write('inventory.yml', localInventory())];
  if (target.limit !== undefined && !isHostPattern(target.limit)) throw new InventoryError(`"${target.limit}" is not a host pattern`);
  const inventory = await dir.write('inventory.yml', renderInventory(target.inventory));
  const knownHosts = await dir.write('known_hosts', target.knownHosts.endsWith('\n') || !target.knownHosts ? target.knownHosts : `${target.knownHosts}\n`);
  // Only this run's settings: no ~/.ssh/config, no user or system known_hosts, no agent keys.
  const ssh = [
    '-F /dev/null',
    // Ansible splits these arguments like a shell: the path is quoted.
    `-o UserKnownHostsFile=${JSON.stringify(knownHosts)}`,
    '-o GlobalKnownHostsFile=/dev/null',
    `-o StrictHostKeyChecking=${target.knownHosts.trim() ? 'yes' : 'accept-new'}`,
    '-o IdentitiesOnly=yes',
    '-o BatchMode=yes',
  ].join(' ');
  return ['-i', inventory, '--ssh-common-args', ssh, ...(target.limit ? ['--limit', target.limit] : [])];
}

/**
 * Ends the SSH connections Ansible keeps open for reuse (ControlPersist): their master processes
 * live in a session of their own and would outlast the run by a minute.
 */
export async function closeSshConnections(runDir: string): Promise<void> {
  const controlDir = join(runDir, SSH_CONTROL_DIR);
  const sockets = await readdir(controlDir).catch(() => []);
  const execa = await loadExeca();
  await Promise.all(
    sockets.map((socket) => execa('ssh', ['-F', '/dev/null', '-o', `ControlPath=${join(controlDir, socket)}`, '-O', 'exit', 'provisio'], { reject: false, stdin: 'ignore', timeout: 5_000 })),
  );
}
