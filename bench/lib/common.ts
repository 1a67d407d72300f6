// Shared helpers for the benchmarks: options, statistics, temp dirs and cleanup, results.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const benchDir = path.join(repoRoot, 'bench');
export const benchPlaybooksDir = path.join(benchDir, 'playbooks');
export const resultsDir = path.join(benchDir, 'results');

// ---- options -------------------------------------------------------------

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

// ---- statistics ----------------------------------------------------------

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Linear interpolation between closest ranks; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function max(values: readonly number[]): number {
  return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
}

export function min(values: readonly number[]): number {
  return values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
}

export const round = (value: number, digits = 1): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---- memory --------------------------------------------------------------

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

// ---- cleanup -------------------------------------------------------------

type Cleanup = () => void | Promise<void>;
const cleanups: Cleanup[] = [];
let signalsInstalled = false;

/** Runs on normal completion, on error and on SIGINT/SIGTERM, most recent first. */
export function onCleanup(cleanup: Cleanup): void {
  cleanups.push(cleanup);
  if (!signalsInstalled) {
    signalsInstalled = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: cleaning up`);
        void runCleanups().finally(() => process.exit(130));
      });
    }
    // A crash in a library callback must not leave servers or temp dirs behind either.
    process.once('uncaughtException', (error) => {
      console.error('uncaught exception:', error);
      void runCleanups().finally(() => process.exit(1));
    });
  }
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    const cleanup = cleanups.pop()!;
    try {
      await cleanup();
    } catch (error) {
      console.error('cleanup failed:', error);
    }
  }
}

/** A temp directory removed at cleanup. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `provisio-bench-${prefix}-`));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * An embedded data directory inside `parent`. When bench/run.ts provides an initialised PGlite
 * template (PROVISIO_BENCH_PGLITE_TEMPLATE), it is copied, saving initdb (seconds) per bench.
 */
export function embeddedDataDir(parent: string): string {
  const dataDir = path.join(parent, 'data');
  const template = process.env.PROVISIO_BENCH_PGLITE_TEMPLATE;
  if (template && fs.existsSync(template)) fs.cpSync(template, dataDir, { recursive: true });
  return dataDir;
}

// ---- results -------------------------------------------------------------

export interface Target {
  name: string;
  comparator: '<=' | '>=';
  threshold: number;
  actual: number;
  unit: string;
  met: boolean;
}

export function target(name: string, comparator: '<=' | '>=', threshold: number, actual: number, unit: string): Target {
  const met = Number.isFinite(actual) && (comparator === '<=' ? actual <= threshold : actual >= threshold);
  return { name, comparator, threshold, actual: round(actual, 3), unit, met };
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  totalMemMiB: number;
  loadavg: number[];
  uptime: string;
  node: string;
  platform: string;
}

/**
 * How fast the machine is right now, on two fixed workloads (lower is faster; median of 3): this
 * machine's speed varies from day to day by up to 2× for the same code, so figures from different
 * days compare only through this, and ratios only within one run.
 */
export interface SpeedReference {
  /** A fixed integer loop in this Node process (the server's and PGlite's kind of work). */
  jsMs: number;
  /** python3 starting and summing squares (Ansible's kind of work: interpreters, forks). */
  pythonMs: number;
}

export function speedReference(): SpeedReference {
  const js = () => {
    const started = performance.now();
    let x = 0;
    for (let i = 0; i < 100_000_000; i++) x = (x + i) % 1_000_003;
    if (x < 0) console.log(x); // keeps the loop from being optimised away
    return performance.now() - started;
  };
  const python = () => {
    const started = performance.now();
    try {
      execFileSync('python3', ['-c', 'sum(i * i for i in range(2_000_000))'], { stdio: 'ignore' });
    } catch {
      return Number.NaN;
    }
    return performance.now() - started;
  };
  return { jsMs: round(median([js(), js(), js()]), 1), pythonMs: round(median([python(), python(), python()]), 1) };
}

/** What else the machine was doing: benches share it with other jobs. */
export function machine(): Machine {
  let uptime: string;
  try {
    uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    uptime = `loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
    loadavg: os.loadavg().map((l) => round(l, 2)),
    uptime,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

export interface BenchResult {
  bench: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  machineBefore: Machine;
  machineAfter: Machine;
  speedReference: SpeedReference;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  targets: Target[];
  allTargetsMet: boolean;
  notes: string[];
}

/** Collects a bench's output, prints the summary and writes bench/results/<name>.json. */
export class Report {
  readonly bench: string;
  readonly params: Record<string, unknown> = {};
  readonly metrics: Record<string, unknown> = {};
  readonly targets: Target[] = [];
  readonly notes: string[] = [];
  private readonly started = new Date();
  private readonly machineBefore = machine();
  private readonly speed = speedReference();

  constructor(bench: string) {
    this.bench = bench;
    console.log(`== bench ${bench} (${this.machineBefore.uptime}; speed reference: JS ${this.speed.jsMs} ms, python ${this.speed.pythonMs} ms, lower is faster)`);
  }

  target(name: string, comparator: '<=' | '>=', threshold: number, actual: number, unit: string): Target {
    const t = target(name, comparator, threshold, actual, unit);
    this.targets.push(t);
    return t;
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`note: ${text}`);
  }

  write(): BenchResult {
    const finished = new Date();
    const result: BenchResult = {
      bench: this.bench,
      startedAt: this.started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - this.started.getTime(),
      machineBefore: this.machineBefore,
      machineAfter: machine(),
      speedReference: this.speed,
      params: this.params,
      metrics: this.metrics,
      targets: this.targets,
      allTargetsMet: this.targets.every((t) => t.met),
      notes: this.notes,
    };
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `${this.bench}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log('');
    printTargets(this.bench, this.targets);
    console.log(`load: before [${result.machineBefore.loadavg.join(', ')}], after [${result.machineAfter.loadavg.join(', ')}] on ${result.machineAfter.cpus} CPUs; speed reference JS ${this.speed.jsMs} ms, python ${this.speed.pythonMs} ms`);
    console.log(`wall time ${(result.durationMs / 1000).toFixed(1)} s; result written to ${path.relative(repoRoot, file)}`);
    return result;
  }
}

export function printTargets(bench: string, targets: readonly Target[]): void {
  table(
    ['bench', 'target', 'goal', 'actual', 'met'],
    targets.map((t) => [bench, t.name, `${t.comparator === '<=' ? '≤' : '≥'} ${fmt(t.threshold)} ${t.unit}`, `${fmt(t.actual)} ${t.unit}`, t.met ? 'yes' : 'NO']),
  );
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return String(round(value, Math.abs(value) >= 10 ? 1 : 3));
}

/** A plain text table: columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** Runs a bench's body with cleanup on every exit path; exit code 1 on error. */
export async function runBench(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await runCleanups();
  }
  // Keep-alive sockets or a stray timer must not keep a finished bench alive.
  process.exit(process.exitCode ?? 0);
}
