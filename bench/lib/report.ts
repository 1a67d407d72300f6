// A bench's results: targets, the machine's state and speed, the printed summary and bench/results/<name>.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, resultsDir } from './paths.ts';
import { median, round } from './stats.ts';

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
