// In-process CPU profiling of one phase (node:inspector), summarised by package and by function.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Profiler } from 'node:inspector';
import { repoRoot } from './paths.ts';

export interface ProfileSummary {
  totalMs: number;
  /** Sampled time the thread was idle (waiting in the event loop). */
  idleMs: number;
  byPackage: Array<{ name: string; ms: number; percent: number }>;
  byFunction: Array<{ name: string; ms: number; percent: number }>;
}

/** Runs fn under the V8 CPU profiler; writes the .cpuprofile (open it in Chrome DevTools) and summarises it. */
export async function cpuProfile<T>(file: string, fn: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  let profile: Profiler.Profile | undefined;
  try {
    const result = await fn();
    ({ profile } = await session.post('Profiler.stop'));
    fs.writeFileSync(file, JSON.stringify(profile));
    return { result, summary: summarise(profile) };
  } finally {
    if (!profile) await session.post('Profiler.stop').catch(() => undefined);
    session.disconnect();
  }
}

function packageOf(url: string): string {
  if (!url) return '(native/V8)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('wasm://')) return `(wasm ${url.slice('wasm://wasm/'.length)})`;
  return url.replace(`file://${repoRoot}/`, '');
}

/** Summarises a .cpuprofile file (e.g. written by node --cpu-prof). */
export function summariseFile(file: string, top = 15): ProfileSummary {
  return summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as Profiler.Profile, top);
}

export function summarise(profile: Profiler.Profile, top = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + (deltas[i] ?? 0));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (frame?.functionName === '(idle)') idleUs += us;
    // The profiler's own session calls and idle time are not the workload's.
    if (!frame || frame.url === 'node:inspector' || frame.url.startsWith('node:inspector/') || frame.functionName === '(idle)') continue;
    const pkg = packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'} ${pkg}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const total = [...byPackage.values()].reduce((a, b) => a + b, 0);
  const list = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: Math.round((1000 * us) / total) / 10 }));
  return { totalMs: Math.round(total / 1000), idleMs: Math.round(idleUs / 1000), byPackage: list(byPackage), byFunction: list(byFunction) };
}
