// CPU time and memory of processes and of the machine, read from /proc.
import fs from 'node:fs';

/** A field of /proc/<pid>/status in MiB (VmRSS, VmHWM, RssAnon…), or undefined once the process is gone. */
export function procStatusMiB(pid: number, field: string): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in MiB (VmRSS from /proc), or undefined once it is gone. */
export function rssMiB(pid: number): number | undefined {
  return procStatusMiB(pid, 'VmRSS');
}

/** Samples a process's RSS every `intervalMs` until stopped. */
export function sampleRss(pid: number, intervalMs = 200): { stop(): { peak: number; last: number; samples: number } } {
  let peak = 0;
  let last = 0;
  let samples = 0;
  const take = (): void => {
    const value = rssMiB(pid);
    if (value === undefined) return;
    samples++;
    last = value;
    peak = Math.max(peak, value);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peak, last, samples };
    },
  };
}

const CLOCK_TICKS_PER_S = 100; // USER_HZ: 100 on Linux for every mainstream architecture

/** CPU time of a process from /proc/<pid>/stat, in ms: its own (utime + stime) and its reaped children's (cutime + cstime). */
export function processCpuMs(pid: number | 'self'): { own: number; children: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (index: number): number => (Number(fields[index]) * 1000) / CLOCK_TICKS_PER_S;
    return { own: ms(11) + ms(12), children: ms(13) + ms(14) };
  } catch {
    return undefined;
  }
}

/**
 * The main thread of a process, from /proc/<pid>/task/<pid>/schedstat: time on a CPU and time
 * runnable but waiting for one (run-queue delay), in ms. The rest of the wall time it slept or
 * was blocked (e.g. in a synchronous fsync).
 */
export function mainThreadSchedMs(pid: number): { onCpu: number; waitingForCpu: number } | undefined {
  try {
    const [onCpu, waiting] = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { onCpu: (onCpu ?? Number.NaN) / 1e6, waitingForCpu: (waiting ?? Number.NaN) / 1e6 };
  } catch {
    return undefined;
  }
}

/** Samples the main thread's scheduler state (R running/runnable, S sleeping, D blocked in I/O, …) every intervalMs. */
export function sampleThreadState(pid: number, intervalMs = 10): { stop(): Record<string, number> } {
  const counts: Record<string, number> = {};
  const timer = setInterval(() => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      counts[state] = (counts[state] ?? 0) + 1;
    } catch {
      // gone
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return counts;
    },
  };
}

/** Whole-machine CPU counters from /proc/stat (ms summed over CPUs): busy and total. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: ((total - idle) * 1000) / CLOCK_TICKS_PER_S, total: (total * 1000) / CLOCK_TICKS_PER_S };
}
