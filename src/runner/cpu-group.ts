import { rmdirSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isPidRunning } from './process-identity.ts';

/**
 * CPU control groups for the server and its playbooks, where the host lets us make them.
 *
 * Autogroup alone cannot give both things a provisioning engine needs. The scheduler splits a
 * group's weight across CPUs by where its load is, so a nice-19 playbook sharing the server's
 * autogroup gets a sliver of the group's weight on its CPU: a busy host slows it several times.
 * At nice 0 in that group, twenty playbooks leave the API a twenty-first. So each gets a cgroup of
 * its own, side by side: the playbooks' weighs a nice-0 session per CPU (any other session on the
 * host meets them as an equal on every CPU), the server's sixteen times that (the API answers
 * first; it only takes what it uses). Inside their group the playbooks keep their nice, which
 * then only ranks them among themselves.
 *
 * Without a writable CPU controller (cgroup v1 `cpu`, or cgroup v2 with `cpu` delegated to this
 * process's cgroup) the server stays in its autogroup and the playbooks share it at a low nice.
 */
export interface CpuGroup {
  /** Where the launcher writes the playbook's pid. */
  procsFile: string;
  dir: string;
  /** What was set on the playbooks' group, e.g. `cpu.shares 2048`. */
  weight: string;
  /** The server's own group and its weight (it moved there from its autogroup). */
  serverDir: string;
  serverWeight: string;
}

export type CpuGroupOutcome = { group: CpuGroup } | { group?: undefined; reason: string };

/** Where this process's cgroup is in the hierarchy that has the CPU controller. */
export interface CpuController {
  version: 1 | 2;
  /** This process's own cgroup directory. */
  dir: string;
}

const PLAYBOOKS = 'provisio-playbooks-';
const SERVER = 'provisio-server-';
/**
 * How many times the playbooks' weight the server has: the API answers first. Not far more: as we
 * read the load balancer, a mostly idle server with a huge weight still looks like the busiest
 * CPU's load, and the playbooks then crowd onto the other CPUs (bench/README.md, load and ansible).
 */
const SERVER_FACTOR = 16;
/**
 * A nice-0 session's weight (v1 `cpu.shares` 1024, v2 `cpu.weight` 100) for each CPU: the kernel
 * splits a group's weight over the CPUs its load is on, so playbooks spread over every CPU
 * still meet a busy session on each CPU as an equal, not as a fraction of one.
 */
function weightFor(version: 1 | 2, cpus: number, factor = 1): { file: string; value: string } {
  return version === 1 ? { file: 'cpu.shares', value: String(Math.min(262_144, 1024 * cpus * factor)) } : { file: 'cpu.weight', value: String(Math.min(10_000, 100 * cpus * factor)) };
}

interface Mount {
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

function parseMountInfo(mountInfo: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of mountInfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (!before || !after) continue;
    const fields = before.split(' ');
    const [fsType, , options] = after.split(' ');
    if (fields.length < 5 || !fsType) continue;
    const unescape = (text: string) => text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    mounts.push({ root: unescape(fields[3]!), mountPoint: unescape(fields[4]!), fsType, superOptions: (options ?? '').split(',') });
  }
  return mounts;
}

/** The path of `cgroupPath` under a mount whose root is `root` (a container may mount a subtree). */
function underMount(mount: Mount, cgroupPath: string): string | undefined {
  const inside = mount.root === '/' ? cgroupPath : cgroupPath === mount.root || cgroupPath.startsWith(`${mount.root}/`) ? cgroupPath.slice(mount.root.length) : undefined;
  return inside === undefined ? undefined : join(mount.mountPoint, inside).replace(/(?<=.)\/$/, '');
}

/**
 * Finds this process's cgroup in the hierarchy with the CPU controller, from the texts of
 * /proc/self/cgroup and /proc/self/mountinfo. A v1 `cpu` hierarchy wins over v2 (a hybrid host
 * keeps the controller on v1); for v2 the caller still checks that `cpu` is delegated.
 */
export function locateCpuController(procCgroup: string, mountInfo: string): CpuController | { reason: string } {
  const mounts = parseMountInfo(mountInfo);
  const lines = procCgroup.split('\n').filter(Boolean).map((line) => {
    const [id, controllers, ...rest] = line.split(':');
    return { id, controllers: (controllers ?? '').split(','), path: rest.join(':') };
  });
  const v1 = lines.find((line) => line.id !== '0' && line.controllers.includes('cpu'));
  if (v1) {
    for (const mount of mounts) {
      if (mount.fsType !== 'cgroup' || !mount.superOptions.includes('cpu')) continue;
      const dir = underMount(mount, v1.path);
      if (dir) return { version: 1, dir };
    }
    return { reason: `the cgroup v1 cpu hierarchy (${v1.path}) is not mounted where this process can see it` };
  }
  const v2 = lines.find((line) => line.id === '0' && line.controllers.join('') === '');
  if (!v2) return { reason: 'this process is in no cgroup with a CPU controller' };
  for (const mount of mounts) {
    if (mount.fsType !== 'cgroup2') continue;
    const dir = underMount(mount, v2.path);
    if (dir) return { version: 2, dir };
  }
  return { reason: 'the cgroup v2 hierarchy is not mounted where this process can see it' };
}

function message(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** Removes the empty groups of processes that ended without removing theirs (kill -9). */
async function sweepEndedGroups(parent: string, pid: number): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const prefix = [PLAYBOOKS, SERVER].find((candidate) => name.startsWith(candidate));
    if (!prefix) continue;
    const owner = Number(name.slice(prefix.length));
    if (Number.isInteger(owner) && owner !== pid && !isPidRunning(owner)) await rmdir(join(parent, name)).catch(() => {});
  }
}

/** cgroup v2: `cpu` must be enabled for the children of this process's cgroup. */
async function delegateCpu(dir: string): Promise<void> {
  const enabled = (await readFile(join(dir, 'cgroup.subtree_control'), 'utf8')).split(/\s+/);
  if (enabled.includes('cpu')) return;
  const available = (await readFile(join(dir, 'cgroup.controllers'), 'utf8')).split(/\s+/);
  if (!available.includes('cpu')) throw new Error('the cpu controller is not delegated to this cgroup');
  // Refused (EBUSY) while other processes sit in this cgroup itself, unless it is the root.
  await writeFile(join(dir, 'cgroup.subtree_control'), '+cpu');
}

/**
 * Makes the two groups side by side in a located controller and moves the server (process `pid`)
 * into its own: side by side, because inside one parent the server's weight would again pull the
 * parent's share to the server's CPU. On v2 the server leaves this process's cgroup first, which
 * must hold no process for `cpu` to be enabled below it; on a failure it goes back.
 */
export async function createCpuGroup(controller: CpuController, pid = process.pid, cpus = availableParallelism()): Promise<CpuGroupOutcome> {
  const dir = join(controller.dir, `${PLAYBOOKS}${pid}`);
  const serverDir = join(controller.dir, `${SERVER}${pid}`);
  let moved = false;
  try {
    await sweepEndedGroups(controller.dir, pid);
    await mkdir(dir, { recursive: true });
    await mkdir(serverDir, { recursive: true });
    await writeFile(join(serverDir, 'cgroup.procs'), String(pid));
    moved = true;
    if (controller.version === 2) await delegateCpu(controller.dir);
    const playbooks = weightFor(controller.version, cpus);
    const server = weightFor(controller.version, cpus, SERVER_FACTOR);
    await writeFile(join(dir, playbooks.file), playbooks.value);
    await writeFile(join(serverDir, server.file), server.value);
    return { group: { dir, procsFile: join(dir, 'cgroup.procs'), weight: `${playbooks.file} ${playbooks.value}`, serverDir, serverWeight: `${server.file} ${server.value}` } };
  } catch (error) {
    if (moved) await writeFile(join(controller.dir, 'cgroup.procs'), String(pid)).catch(() => {});
    await rmdir(dir).catch(() => {});
    await rmdir(serverDir).catch(() => {});
    return { reason: `cannot make CPU groups in ${controller.dir}: ${message(error)}` };
  }
}

/** At exit: the server back where it came from (v1; v2 refuses it once cpu is enabled), both groups removed if they can be. */
function removeAtExit(controller: CpuController, group: CpuGroup): void {
  process.once('exit', () => {
    try {
      writeFileSync(join(controller.dir, 'cgroup.procs'), String(process.pid));
    } catch {
      // The next start's sweep removes the groups once this process is gone.
    }
    for (const dir of [group.dir, group.serverDir]) {
      try {
        rmdirSync(dir); // a cgroup's control files do not keep it from being removed
      } catch {
        // A straggler inside, or the server still in it: left for the sweep.
      }
    }
  });
}

let prepared: Promise<CpuGroupOutcome> | undefined;

/**
 * This process's CPU groups, made once (every server in the process shares them): the server
 * moves into its own, the playbooks join theirs. Never throws: the reason says why there are none.
 */
export function playbookCpuGroup(): Promise<CpuGroupOutcome> {
  prepared ??= (async () => {
    if (process.platform !== 'linux') return { reason: 'control groups are Linux only' };
    let located: CpuController | { reason: string };
    try {
      located = locateCpuController(await readFile('/proc/self/cgroup', 'utf8'), await readFile('/proc/self/mountinfo', 'utf8'));
    } catch (error) {
      return { reason: `cannot read this process's cgroup: ${message(error)}` };
    }
    if ('reason' in located) return located;
    const outcome = await createCpuGroup(located);
    if (outcome.group) removeAtExit(located, outcome.group);
    return outcome;
  })();
  return prepared;
}
