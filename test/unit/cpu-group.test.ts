import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCpuGroup, locateCpuController } from '../../src/runner/cpu-group.ts';

// Real texts of /proc/self/cgroup and /proc/self/mountinfo, shortened to the lines that matter.
const HYBRID_CGROUP = '4:memory:/process_api/5d61\n1:cpu:/\n0::/\n';
const HYBRID_MOUNTS = [
  '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const SYSTEMD_V1_CGROUP = '3:cpu,cpuacct:/system.slice/provisio.service\n0::/system.slice/provisio.service\n';
const SYSTEMD_V1_MOUNTS = '25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct';
const V2_CGROUP = '0::/system.slice/provisio.service\n';
const V2_MOUNTS = '29 24 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate';
// A container that sees only its own subtree of the host's hierarchy.
const CONTAINER_CGROUP = '0::/docker/abc/app\n';
const CONTAINER_MOUNTS = '500 490 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw';

describe('locating the CPU controller', () => {
  it('finds the v1 cpu hierarchy first, and the process cgroup within it', () => {
    expect(locateCpuController(HYBRID_CGROUP, HYBRID_MOUNTS)).toEqual({ version: 1, dir: '/sys/fs/cgroup/cpu' });
    expect(locateCpuController(SYSTEMD_V1_CGROUP, SYSTEMD_V1_MOUNTS)).toEqual({ version: 1, dir: '/sys/fs/cgroup/cpu,cpuacct/system.slice/provisio.service' });
  });

  it('takes v2 when no v1 hierarchy has cpu, under a mount of a subtree too', () => {
    expect(locateCpuController(V2_CGROUP, V2_MOUNTS)).toEqual({ version: 2, dir: '/sys/fs/cgroup/system.slice/provisio.service' });
    expect(locateCpuController(CONTAINER_CGROUP, CONTAINER_MOUNTS)).toEqual({ version: 2, dir: '/sys/fs/cgroup/app' });
  });

  it('says why there is none', () => {
    expect(locateCpuController('1:cpu:/\n', V2_MOUNTS)).toEqual({ reason: expect.stringContaining('cpu hierarchy (/) is not mounted') });
    expect(locateCpuController('4:memory:/x\n', HYBRID_MOUNTS)).toEqual({ reason: expect.stringContaining('no cgroup with a CPU controller') });
  });
});

describe('creating the group (on a directory tree standing in for the cgroup file system)', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });
  const make = (files: Record<string, string>) => {
    const root = mkdtempSync(join(tmpdir(), 'cpu-group-'));
    roots.push(root);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    return root;
  };

  it('v1: the playbooks weighted like a nice-0 session per CPU, the server moved into its own group, sixteen times that; empty groups of ended processes removed', async () => {
    const dir = make({ 'cpu.shares': '1024', 'provisio-playbooks-999999999/.keep': '', 'provisio-server-999999999/.keep': '' });
    for (const stale of ['provisio-playbooks-999999999', 'provisio-server-999999999']) rmSync(join(dir, stale, '.keep'));
    const outcome = await createCpuGroup({ version: 1, dir }, 4242, 2);
    expect(outcome).toEqual({
      group: {
        dir: join(dir, 'provisio-playbooks-4242'),
        procsFile: join(dir, 'provisio-playbooks-4242', 'cgroup.procs'),
        weight: 'cpu.shares 2048',
        serverDir: join(dir, 'provisio-server-4242'),
        serverWeight: 'cpu.shares 32768',
      },
    });
    expect(readFileSync(join(dir, 'provisio-playbooks-4242', 'cpu.shares'), 'utf8')).toBe('2048');
    expect(readFileSync(join(dir, 'provisio-server-4242', 'cgroup.procs'), 'utf8')).toBe('4242');
    expect(existsSync(join(dir, 'provisio-playbooks-999999999'))).toBe(false);
    expect(existsSync(join(dir, 'provisio-server-999999999'))).toBe(false);
  });

  it('v2: moves the server out of its cgroup, then enables cpu below it; when cpu is not delegated, moves it back and says why', async () => {
    const dir = make({ 'cgroup.controllers': 'cpu memory pids', 'cgroup.subtree_control': '' });
    const outcome = await createCpuGroup({ version: 2, dir }, 4242, 2);
    expect(outcome.group && [outcome.group.weight, outcome.group.serverWeight]).toEqual(['cpu.weight 200', 'cpu.weight 3200']);
    expect(readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8')).toBe('+cpu');
    expect(readFileSync(join(dir, 'provisio-playbooks-4242', 'cpu.weight'), 'utf8')).toBe('200');
    expect(readFileSync(join(dir, 'provisio-server-4242', 'cgroup.procs'), 'utf8')).toBe('4242');

    const bare = make({ 'cgroup.controllers': 'memory pids', 'cgroup.subtree_control': '' });
    expect(await createCpuGroup({ version: 2, dir: bare }, 4242)).toEqual({ reason: expect.stringContaining('not delegated') });
    expect(readFileSync(join(bare, 'cgroup.procs'), 'utf8')).toBe('4242');
  });
});
