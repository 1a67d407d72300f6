// `npm run bench` runs every benchmark; `npm run bench -- <name> [<name>…] [--option=value…]` runs some.
// Each bench runs in its own process (node bench/<name>.ts), one after the other, and writes
// bench/results/<name>.json; this prints a combined summary of the targets at the end.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_NODE_FLAGS } from '../src/infra/db/pglite/options.ts';
import { benchDir, resultsDir } from './lib/paths.ts';
import { printTargets, type BenchResult } from './lib/report.ts';

const BENCHES = ['startup', 'ingest', 'ansible', 'busy', 'load', 'limits', 'cluster', 'console', 'soak'] as const;
type BenchName = (typeof BENCHES)[number];
/** The soak takes an hour or more: it runs only when named. */
const RUN_BY_DEFAULT: readonly BenchName[] = BENCHES.filter((name) => name !== 'soak');
/** Benches that start on a fresh embedded database and can copy an initialised one instead. */
const USES_TEMPLATE: ReadonlySet<BenchName> = new Set(['ingest', 'ansible', 'busy', 'load', 'limits', 'soak']);

const isBench = (name: string): name is BenchName => (BENCHES as readonly string[]).includes(name);

const args = process.argv.slice(2);
const names = args.filter((arg) => !arg.startsWith('-'));
const passThrough = args.filter((arg) => arg.startsWith('-') && arg !== '--strict');
const strict = args.includes('--strict');
const unknown = names.filter((name) => !isBench(name));
if (unknown.length || args.includes('--help')) {
  if (unknown.length) console.error(`unknown bench: ${unknown.join(', ')}`);
  console.error(`usage: npm run bench -- [${BENCHES.join('|')} …] [--option=value …] [--strict]\n(see bench/README.md for each bench's options)`);
  process.exit(unknown.length ? 2 : 0);
}
const selected: BenchName[] = names.length ? names.filter(isBench) : [...RUN_BY_DEFAULT];

let child: ReturnType<typeof spawn> | undefined;
let template: string | undefined;
const removeTemplate = (): void => {
  if (template) fs.rmSync(path.dirname(template), { recursive: true, force: true });
  template = undefined;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The bench cleans up on the signal (servers stopped, temp dirs removed); then we exit.
    if (child && child.exitCode === null) child.kill(signal);
    else {
      removeTemplate();
      process.exit(130);
    }
  });
}

const runStarted = Date.now();
const outcomes: Array<{ name: BenchName; code: number | null; result: BenchResult | undefined }> = [];
try {
  if (selected.filter((name) => USES_TEMPLATE.has(name)).length > 1) {
    // initdb takes seconds (much more on a busy machine): do it once for all benches.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-bench-template-'));
    template = path.join(dir, 'data');
    fs.mkdirSync(template);
    const started = performance.now();
    const pglite = await PGlite.create(path.join(template, 'pgdata'));
    await pglite.close();
    console.log(`initialised a PGlite template for the benches in ${Math.round(performance.now() - started)} ms\n`);
  }
  for (const name of selected) {
    const code = await new Promise<number | null>((resolve) => {
      child = spawn(process.execPath, [...PGLITE_NODE_FLAGS, path.join(benchDir, `${name}.ts`), ...passThrough], {
        stdio: 'inherit',
        // Its own process group: a terminal's Ctrl-C reaches only us, and we forward it once.
        detached: true,
        env: { ...process.env, ...(template && USES_TEMPLATE.has(name) ? { PROVISIO_BENCH_PGLITE_TEMPLATE: template } : {}) },
      });
      child.once('exit', (exitCode, signal) => resolve(signal ? 128 : exitCode));
    });
    const file = path.join(resultsDir, `${name}.json`);
    let result: BenchResult | undefined;
    if (fs.existsSync(file) && fs.statSync(file).mtimeMs >= runStarted) result = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResult;
    outcomes.push({ name, code, result });
    console.log('');
  }
} finally {
  removeTemplate();
}

console.log('== summary');
for (const { name, code, result } of outcomes) {
  if (code !== 0 || !result) {
    console.log(`${name}: FAILED to run (exit ${code}); see its output above`);
    continue;
  }
  printTargets(name, result.targets);
  console.log(`  (${(result.durationMs / 1000).toFixed(0)} s; load average before ${result.machineBefore.loadavg.join(' ')}, after ${result.machineAfter.loadavg.join(' ')})\n`);
}
const crashed = outcomes.some((o) => o.code !== 0 || !o.result);
const missed = outcomes.some((o) => o.result && !o.result.allTargetsMet);
if (missed) console.log(strict ? 'some targets were missed (--strict: exit 1)' : 'some targets were missed (exit 0; pass --strict to fail)');
process.exit(crashed || (strict && missed) ? 1 : 0);
