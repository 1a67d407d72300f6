import fs from 'node:fs';
import os from 'node:os';

/**
 * Whether process group `pgid` still holds the ansible-playbook a run started at `startedAt`: a
 * member's command line names ansible-playbook and it started no earlier than the run. After a
 * reboot (or long enough) the number may belong to an unrelated group, which must not be killed.
 * Linux (/proc) only; elsewhere nothing is confirmed, so nothing is killed.
 */
export function isAnsibleOfRun(pgid: number, startedAt: Date | null): boolean {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return false;
  }
  return pids.some((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, pgrp, …, starttime (the 20th).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) return false;
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (!cmdline.includes('ansible-playbook')) return false;
      if (!startedAt) return true;
      // Clock ticks round the start time down: allow a second of slack.
      return startMs(Number(fields[19])) >= startedAt.getTime() - 1_000;
    } catch {
      return false; // gone meanwhile
    }
  });
}

/**
 * Names the pid space this process lives in: the machine (its host name and boot) and the pid
 * namespace (a container has its own). Two processes with the same identity see each other's
 * pids, so one may tell at once that the other has ended. Undefined off Linux.
 */
export function hostIdentity(): string | undefined {
  try {
    const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${os.hostname()} boot:${bootId} ${fs.readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return undefined;
  }
}

/** When process `pid` started, as the kernel counts it; undefined if that cannot be read. */
export function processStartedAt(pid: number): Date | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return new Date(startMs(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19])));
  } catch {
    return undefined;
  }
}

/** Whether a process numbered `pid` exists (under any user): for sweeping what dead processes left, named by their pid. */
export function isPidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process `pid` that started at `startedAt` (as processStartedAt read it) has ended:
 * no such pid, a zombie, or another process under the reused number. Asked only about a process
 * of the same host identity. Whatever cannot be read counts as still running.
 */
export function hasProcessEnded(pid: number, startedAt: Date): boolean {
  // 0 and below name process groups to kill().
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    // Signal 0 only checks; EPERM means it exists under another user.
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return true;
  // The boot time /proc reports may move by a second between reads.
  return Math.abs(startMs(Number(fields[19])) - startedAt.getTime()) > 1_000;
}

/** A process's start (clock ticks since boot) in epoch ms. USER_HZ is 100 on every Linux Node runs on. */
function startMs(startTicks: number): number {
  const bootTime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
  return bootTime * 1000 + startTicks * 10;
}
