// What a long-running process holds, read from /proc and the file system: open file
// descriptors, threads, the processes it started (ansible-playbook and its forks), the runner's
// private directories and the size of a directory tree.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RUN_DIR_PREFIX } from '../../src/runner/ansible.ts';
import { procStatusMiB } from './cpu-memory.ts';

/** Entries of /proc/<pid>/fd, or undefined once the process is gone. */
export function openFds(pid: number): number | undefined {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** `Threads:` of /proc/<pid>/status, or undefined once the process is gone. */
export function threadCount(pid: number): number | undefined {
  try {
    const match = /^Threads:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Every live descendant of `pid` (children, their children, …), from the parent pids in /proc/<pid>/stat. */
export function descendants(pid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const siblings = childrenOf.get(parent) ?? [];
      siblings.push(Number(name));
      childrenOf.set(parent, siblings);
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const pending = [pid];
  while (pending.length) {
    for (const child of childrenOf.get(pending.pop()!) ?? []) {
      found.push(child);
      pending.push(child);
    }
  }
  return found;
}

/** How many descendants `pid` has and their RSS summed, in MiB (shared pages counted in each). */
export function descendantsRss(pid: number): { count: number; rssMiB: number } {
  const pids = descendants(pid);
  return { count: pids.length, rssMiB: pids.reduce((sum, child) => sum + (procStatusMiB(child, 'VmRSS') ?? 0), 0) };
}

/** The runner's private directories (`$TMPDIR/provisio-run-<pid>-…`) that belong to process `pid`. */
export function runDirsOf(pid: number, directory = os.tmpdir()): number {
  const prefix = `${RUN_DIR_PREFIX}${pid}-`;
  try {
    return fs.readdirSync(directory).filter((name) => name.startsWith(prefix)).length;
  } catch {
    return 0;
  }
}

/** Apparent size of the files under `dir` in bytes (0 when it does not exist). */
export function treeBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    try {
      if (entry.isDirectory()) total += treeBytes(full);
      else if (entry.isFile()) total += fs.statSync(full).size;
    } catch {
      // removed while we looked (a recycled WAL segment)
    }
  }
  return total;
}
