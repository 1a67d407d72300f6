import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../src/runner/index.ts';
import type { RunnerEvent, RunOutcome } from '../../src/runner/index.ts';
import { fixture, groupMembers, groupProcesses, membersAfterKill } from './helpers.ts';

const T = 60_000;

/** Start the playbook, abort once its long task has a child running, return the outcome and timings. */
async function cancelDuring(name: string, graceMs: number) {
  const controller = new AbortController();
  let pid = 0;
  let abortedAt = 0;
  let members: number[] = [];
  const events: RunnerEvent[] = [];
  const outcome: RunOutcome = await runPlaybook({
    playbookPath: fixture(name),
    variables: { product: { note: 'cancel me' } },
    checkMode: false,
    secrets: [],
    graceMs,
    signal: controller.signal,
    onSpawn: (p) => (pid = p),
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'runner_start') {
        // Abort once the module's `sleep` is running in the group.
        void (async () => {
          for (let i = 0; i < 100; i++) {
            if ((await groupProcesses(pid)).some((member) => /\bsleep 30\b/.test(member.args))) break;
            await new Promise((r) => setTimeout(r, 50));
          }
          members = await groupMembers(pid);
          abortedAt = performance.now();
          controller.abort();
        })();
      }
    },
  });
  const endedAt = performance.now();
  return { outcome, pid, members, events, stopMs: endedAt - abortedAt };
}

/** Gone, or a zombie (dead; in a container nobody may reap orphans). */
function dead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('cancel', () => {
  it('SIGINT stops the whole process group within a few seconds', { timeout: T }, async () => {
    const { outcome, pid, members, stopMs } = await cancelDuring('sleep.yml', 5000);
    expect(members.length).toBeGreaterThanOrEqual(3); // ansible, worker, module, sleep...
    expect(outcome.cancelled).toBe(true);
    expect(outcome.statsReceived).toBe(false);
    expect(outcome.exitCode === 99 || outcome.signal !== null).toBe(true);
    expect(stopMs).toBeLessThan(5000);
    expect(await membersAfterKill(pid)).toEqual([]);
    expect(members.filter((m) => !dead(m))).toEqual([]);
    console.log(`cancel (SIGINT): stopped ${Math.round(stopMs)} ms after abort, exit ${String(outcome.exitCode)} signal ${String(outcome.signal)}`);
  });

  it('processes that ignore SIGINT are killed too', { timeout: T }, async () => {
    const { outcome, pid, members, stopMs } = await cancelDuring('stubborn.yml', 3000);
    expect(outcome.cancelled).toBe(true);
    expect(members.length).toBeGreaterThanOrEqual(3);
    expect(stopMs).toBeLessThan(6000);
    expect(await membersAfterKill(pid)).toEqual([]);
    expect(members.filter((m) => !dead(m))).toEqual([]);
    console.log(`cancel (stubborn child): stopped ${Math.round(stopMs)} ms after abort, exit ${String(outcome.exitCode)} signal ${String(outcome.signal)}`);
  });
});
