import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { runPlaybook } from '../../src/runner/index.ts';
import type { AnsibleEvent, RunnerEvent, RunOutcome, RunSpec } from '../../src/runner/index.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/runner/', import.meta.url));
export const fixture = (name: string): string => join(FIXTURES, name);

export interface Collected {
  outcome: RunOutcome;
  events: RunnerEvent[];
}

export async function run(name: string, spec: Partial<RunSpec> = {}): Promise<Collected> {
  const events: RunnerEvent[] = [];
  const onEvent = spec.onEvent;
  const outcome = await runPlaybook({
    playbookPath: fixture(name),
    variables: {},
    checkMode: false,
    secrets: [],
    ...spec,
    onEvent: async (e) => {
      events.push(e);
      if (onEvent) await onEvent(e);
    },
  });
  return { outcome, events };
}

export function ansibleEvents(events: RunnerEvent[]): AnsibleEvent[] {
  return events.filter((e): e is AnsibleEvent => e.type !== 'parse_error');
}

export async function tempDir(): Promise<{ path: string; dispose: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'provisio-runner-test-'));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}

export interface GroupMember {
  pid: number;
  sid: number;
  nice: number;
  args: string;
}

/**
 * Live (non-zombie) processes whose process group is pgid. (`ps -g` selects a session, which is
 * not the playbook's group: it runs in the server's session.)
 */
export async function groupProcesses(pgid: number): Promise<GroupMember[]> {
  const { stdout } = await execa('ps', ['-eo', 'pid=,pgid=,sid=,ni=,stat=,args=']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, , , stat]) => Number(group) === pgid && !stat?.startsWith('Z'))
    .map(([pid, , sid, nice, , ...args]) => ({ pid: Number(pid), sid: Number(sid), nice: Number(nice), args: args.join(' ') }));
}

/** Pids of live (non-zombie) processes whose process group is pgid. */
export async function groupMembers(pgid: number): Promise<number[]> {
  return (await groupProcesses(pgid)).map((member) => member.pid);
}

/**
 * The group's members once a SIGKILL sent to it has landed: a killed process takes a moment to
 * become a zombie on a loaded machine, so poll up to two seconds.
 */
export async function membersAfterKill(pgid: number): Promise<number[]> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const members = await groupMembers(pgid);
    if (members.length === 0 || Date.now() > deadline) return members;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

