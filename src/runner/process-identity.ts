import fs from 'node:fs';

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

/** A process's start (clock ticks since boot) in epoch ms. USER_HZ is 100 on every Linux Node runs on. */
function startMs(startTicks: number): number {
  const bootTime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
  return bootTime * 1000 + startTicks * 10;
}
