import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AnsibleNotFoundError,
  classifyOutcome,
  EventHandlerError,
  MASK,
  runPlaybook,
  VariablesError,
} from '../../src/runner/index.ts';
import type { AnsibleEvent } from '../../src/runner/index.ts';
import { ansibleEvents, FIXTURES, fixture, groupProcesses, membersAfterKill, run, tempDir, type GroupMember } from './helpers.ts';
import { JOIN_FAILED_MESSAGE, LAUNCH_FAILED_EXIT_CODE, LAUNCH_FAILED_MESSAGE, launchWith } from '../../src/runner/priority.ts';
import { playbookCpuGroup } from '../../src/runner/cpu-group.ts';

const T = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function scratch(): Promise<string> {
  const d = await tempDir();
  cleanups.push(d.dispose);
  return d.path;
}

describe('runPlaybook', () => {
  it('streams a successful run in order, with correct counters', { timeout: T }, async () => {
    const home = await scratch();
    const { outcome, events } = await run('success.yml', { env: { HOME: home } });
    expect(outcome).toMatchObject({ exitCode: 0, signal: null, statsReceived: true, cancelled: false, parseErrors: 0, pluginFailed: false });
    expect(classifyOutcome(outcome)).toBe('succeeded');
    const evs = ansibleEvents(events);
    expect(evs.map((e) => e.seq)).toEqual(evs.map((_, i) => i + 1));
    expect(evs.map((e) => `${e.type}${e.task ? `:${e.task}` : ''}`)).toEqual([
      'playbook_start',
      'play_start',
      'task_start:Say hello',
      'runner_start:Say hello',
      'runner_ok:Say hello',
      'task_start:Run a command',
      'runner_start:Run a command',
      'runner_ok:Run a command',
      'stats',
    ]);
    const ok = evs[4]!;
    expect(ok).toMatchObject({ host: 'localhost', changed: false, ignoreErrors: false, censored: false, action: 'ansible.builtin.debug' });
    expect(ok.result).toEqual({ msg: 'hello', changed: false });
    expect(ok.taskUuid).toBe(evs[2]!.taskUuid);
    expect(ok.section).toBeUndefined();
    expect(evs[7]!.result).not.toHaveProperty('invocation');
    expect(evs[7]!.changed).toBe(true);
    expect(outcome.stats?.hosts.localhost).toEqual({ ok: 2, changed: 1, failures: 0, unreachable: 0, skipped: 0, rescued: 0, ignored: 0 });
    expect(outcome.eventCount).toBe(events.length);
    expect(outcome.log).toMatch(/PLAY RECAP/);
    // Hermetic: nothing under $HOME/.ansible.
    expect(existsSync(join(home, '.ansible'))).toBe(false);
  });

  it('tags block/rescue/always sections; a rescued run exits 0 with rescued=1', { timeout: T }, async () => {
    const { outcome, events } = await run('rescue.yml');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stats?.hosts.localhost).toMatchObject({ rescued: 1, failures: 0 });
    expect(classifyOutcome(outcome)).toBe('rolled_back');
    const sections = Object.fromEntries(
      ansibleEvents(events)
        .filter((e) => e.type === 'task_start')
        .map((e) => [e.task, e.sectionPath]),
    );
    expect(sections).toEqual({
      'Step that fails': ['block'],
      'Roll back': ['rescue'],
      'Nested in rescue': ['rescue', 'block'],
      'Always runs': ['always'],
      'After the block': [],
    });
    const failed = ansibleEvents(events).find((e) => e.type === 'runner_failed')!;
    expect(failed).toMatchObject({ task: 'Step that fails', section: 'block', ignoreErrors: false });
    expect(failed.result?.rc).toBe(1);
    const retry = ansibleEvents(events).find((e) => e.type === 'runner_retry');
    expect(retry).toMatchObject({ task: 'Step that fails', section: 'block', attempts: 1, retries: 2 });
    expect(ansibleEvents(events).find((e) => e.type === 'runner_ok' && e.task === 'Roll back')?.section).toBe('rescue');
  });

  it('reports a failure with exit 2 and writes no retry file', { timeout: T }, async () => {
    const { outcome, events } = await run('failure.yml');
    expect(outcome.exitCode).toBe(2);
    expect(outcome.statsReceived).toBe(true);
    expect(outcome.stats?.hosts.localhost?.failures).toBe(1);
    expect(classifyOutcome(outcome)).toBe('failed');
    const failed = ansibleEvents(events).find((e) => e.type === 'runner_failed');
    expect(failed?.result?.msg).toBe('boom');
    expect(ansibleEvents(events).some((e) => e.task === 'Never reached' && e.type === 'task_start')).toBe(false);
    expect((await readdir(FIXTURES)).filter((f) => f.endsWith('.retry'))).toEqual([]);
  });

  it('passes set_stats custom stats and warnings through', { timeout: T }, async () => {
    const { outcome, events } = await run('set_stats.yml');
    expect(outcome.stats?.custom).toEqual({ _run: { msisdn: '+15550001', line_id: 42 }, localhost: { port: 7 } });
    const warnings = ansibleEvents(events).filter((e) => e.type === 'warning').map((e) => e.message);
    expect(warnings).toEqual([
      expect.stringMatching(/Could not match supplied host pattern.*no_such_host/),
      expect.stringMatching(/conditional statements should not include jinja2/),
    ]);
  });

  it('emits diff events in --check --diff mode without changing anything', { timeout: T }, async () => {
    const out = await scratch();
    const { outcome, events } = await run('diff.yml', { checkMode: true, variables: { out_dir: out, hostname: 'cpe-1' } });
    expect(outcome.exitCode).toBe(0);
    const start = ansibleEvents(events)[0]!;
    expect(start).toMatchObject({ type: 'playbook_start', checkMode: true, diffMode: true });
    const diff = ansibleEvents(events).find((e) => e.type === 'diff');
    expect(diff).toMatchObject({ task: 'Write config', host: 'localhost', changed: true });
    expect(JSON.stringify(diff?.diff)).toContain('hostname cpe-1');
    expect(existsSync(join(out, 'config.txt'))).toBe(false);
  });

  it('delivers Jinja in variables literally (invariant 5)', { timeout: T }, async () => {
    const out = await scratch();
    const product = {
      cmd: "{{ lookup('pipe','id') }}",
      nested: { list: ['{% if true %}X{% endif %}', 7, true, null, { deep: '{{ 7 * 7 }}' }], '{{ key }}': '{# c #}' },
      plain: 'ok',
    };
    const { outcome } = await run('jinja.yml', { variables: { product, out_dir: out } });
    expect(outcome.exitCode).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'product.json'), 'utf8'))).toEqual(product);
    expect(await readFile(join(out, 'derived.txt'), 'utf8')).toBe(product.cmd);
    expect(await readFile(join(out, 'second.txt'), 'utf8')).toBe(product.cmd);
  });

  it('masks secrets in log, events and stats; the vars file is gone during and after the run', { timeout: T }, async () => {
    const secret = 'Pa"ss\\wörd-42';
    let privateDir = '';
    let varsGoneAtSecondTask: boolean | undefined;
    const { outcome, events } = await run('secrets.yml', {
      variables: { product: { password: secret } },
      secrets: [secret],
      onEvent: (e) => {
        if (e.type === 'runner_ok' && e.task === 'Where am I') privateDir = String(e.result?.msg);
        if (e.type === 'task_start' && e.task?.startsWith('Show')) varsGoneAtSecondTask = !existsSync(join(privateDir, 'vars.json'));
      },
    });
    expect(outcome.exitCode).toBe(0);
    expect(privateDir).toMatch(/provisio-run-/);
    expect(varsGoneAtSecondTask).toBe(true);
    expect(existsSync(privateDir)).toBe(false);
    const json = JSON.stringify(events);
    const jsonEscaped = JSON.stringify(secret).slice(1, -1);
    for (const hay of [outcome.log, json, JSON.stringify(outcome.stats)]) {
      expect(hay).not.toContain(secret);
      expect(hay).not.toContain(jsonEscaped);
      expect(hay).not.toContain('ss\\\\w'); // any escaped remnant
      expect(hay).toContain(MASK);
    }
    expect(outcome.stats?.custom._run?.pw).toBe(MASK);
  });

  it('respects no_log: nothing of the value leaks into events or log', { timeout: T }, async () => {
    const out = await scratch();
    const token = 'tok-9f8e7d6c5b4a';
    const { outcome, events } = await run('nolog.yml', {
      variables: { product: { token }, out_dir: out },
      checkMode: false,
      diff: true,
      secrets: [], // no masking help: only no_log protects the value
    });
    expect(outcome.exitCode).toBe(0);
    expect(JSON.stringify(events)).not.toContain(token);
    expect(outcome.log).not.toContain(token);
    const results = ansibleEvents(events).filter((e) => e.type.startsWith('runner_') && e.type !== 'runner_start');
    expect(results.length).toBeGreaterThanOrEqual(6);
    for (const e of results) {
      expect(e.censored).toBe(true);
      expect(Object.keys(e.result ?? {}).sort()).toEqual(expect.arrayContaining(['censored']));
    }
    const items = results.filter((e) => e.type === 'runner_item_ok');
    expect(items.map((e) => e.item)).toEqual(['(censored due to no_log)', '(censored due to no_log)']);
    expect(ansibleEvents(events).some((e) => e.type === 'diff')).toBe(false);
    expect(await readFile(join(out, 'token.txt'), 'utf8')).toBe(`${token}\n`);
  });

  it('caps event size and log size', { timeout: T }, async () => {
    const { outcome, events } = await run('big.yml', { logLimitBytes: 8192 });
    expect(outcome.exitCode).toBe(0);
    const huge = ansibleEvents(events).find((e) => e.type === 'runner_ok' && e.task === 'Huge message')!;
    expect(huge.truncated).toBe(true);
    expect(huge.result?.msg).toMatch(/^<truncated: \d+ bytes>$/);
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeLessThanOrEqual(65536);
    expect(outcome.logTruncated).toBe(true);
    expect(Buffer.byteLength(outcome.log)).toBeLessThan(8192 + 200);
    expect(outcome.log).toMatch(/PLAY RECAP/);
    expect(ansibleEvents(events).filter((e) => e.type === 'runner_item_ok')).toHaveLength(50);
  });

  it('calls onEvent strictly in order and waits for its promise (backpressure)', { timeout: T }, async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const seqs: number[] = [];
    const { outcome } = await run('success.yml', {
      onEvent: async (e) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (e.type !== 'parse_error') seqs.push(e.seq);
        await new Promise((r) => setTimeout(r, 30));
        inFlight -= 1;
      },
    });
    expect(outcome.exitCode).toBe(0);
    expect(maxInFlight).toBe(1);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('cancels the run when onEvent throws, and reports it', { timeout: T }, async () => {
    let pid = 0;
    const err = await runPlaybook({
      playbookPath: fixture('sleep.yml'),
      variables: {},
      checkMode: false,
      secrets: [],
      graceMs: 2000,
      onSpawn: (p) => (pid = p),
      onEvent: (e) => {
        if (e.type === 'runner_start') throw new Error('database is down');
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventHandlerError);
    const outcome = (err as EventHandlerError).outcome;
    expect(outcome.durationMs).toBeLessThan(15_000);
    expect(outcome.exitCode).not.toBe(0);
    expect(await membersAfterKill(pid)).toEqual([]);
  });

  it('rejects bad variables and a missing ansible-playbook clearly', async () => {
    await expect(
      runPlaybook({ playbookPath: fixture('success.yml'), variables: { ansible_become: true }, checkMode: false, secrets: [], onEvent: () => {} }),
    ).rejects.toThrow(VariablesError);
    await expect(
      runPlaybook({
        playbookPath: fixture('success.yml'),
        variables: {},
        checkMode: false,
        secrets: [],
        onEvent: () => {},
        ansiblePlaybook: 'no-such-ansible-playbook-xyz',
      }),
    ).rejects.toThrow(AnsibleNotFoundError);
  });

  it('does not start when the signal is already aborted', async () => {
    const events: AnsibleEvent[] = [];
    const outcome = await runPlaybook({
      playbookPath: fixture('success.yml'),
      variables: {},
      checkMode: false,
      secrets: [],
      signal: AbortSignal.abort(),
      onEvent: (e) => void events.push(e as AnsibleEvent),
    });
    expect(outcome).toMatchObject({ cancelled: true, exitCode: null, statsReceived: false });
    expect(events).toEqual([]);
  });
});

/** The processes of the run's group once the module's `sleep` (a fork of a fork) is among them. */
async function groupWithModuleSleep(leader: number): Promise<GroupMember[]> {
  let group: GroupMember[] = [];
  for (let i = 0; i < 100 && !group.some((member) => /\bsleep 30\b/.test(member.args)); i++) {
    group = await groupProcesses(leader);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return group;
}

describe('CPU priority', () => {
  it("runs ansible-playbook and its forks below the server, in a group of their own inside the server's session and autogroup", { timeout: T }, async () => {
    const controller = new AbortController();
    let leader = 0;
    const seen: Array<GroupMember & { autogroup: string }> = [];
    const { outcome } = await run('sleep.yml', {
      nice: 10,
      graceMs: 1000,
      signal: controller.signal,
      onSpawn: (pid) => (leader = pid),
      onEvent: async (event) => {
        if (event.type !== 'runner_start' || seen.length) return;
        const group = await groupWithModuleSleep(leader);
        for (const member of group) {
          try {
            seen.push({ ...member, autogroup: readFileSync(`/proc/${member.pid}/autogroup`, 'utf8').trim() });
          } catch {
            // Ended between ps and now.
          }
        }
        controller.abort();
      },
    });
    expect(outcome.cancelled).toBe(true);
    // The leader (its own group's leader) and the module's `sleep`, a fork of a fork, at least.
    expect(seen.map((process) => process.pid), JSON.stringify(seen)).toContain(leader);
    expect(seen.find((process) => process.pid === leader)?.args, JSON.stringify(seen)).toMatch(/ansible-playbook/);
    expect(seen.some((process) => process.args.startsWith('sleep 30')), JSON.stringify(seen)).toBe(true);
    const ownAutogroup = readFileSync('/proc/self/autogroup', 'utf8').trim();
    const ownSession = Number(execFileSync('ps', ['-o', 'sid=', '-p', String(process.pid)], { encoding: 'utf8' }).trim());
    for (const member of seen) {
      expect(member.nice, JSON.stringify(member)).toBe(10);
      // Not a session (an autogroup) of its own: a host busy with other sessions must not starve it.
      expect(member.sid, JSON.stringify(member)).toBe(ownSession);
      expect(member.autogroup, JSON.stringify(member)).toBe(ownAutogroup);
    }
    // Lowering the playbook did not lower the group it shares with the server.
    expect(readFileSync('/proc/self/autogroup', 'utf8').trim()).toBe(ownAutogroup);
  });

  it('runs ansible-playbook and its forks in the CPU group of the process, where the host lets it make one', { timeout: T }, async (context) => {
    const prepared = await playbookCpuGroup();
    if (!prepared.group) return context.skip(`no CPU group on this host: ${prepared.reason}`);
    const controller = new AbortController();
    let leader = 0;
    const groups: string[] = [];
    const { outcome } = await run('sleep.yml', {
      nice: 10,
      cpuGroupProcs: prepared.group.procsFile,
      signal: controller.signal,
      onSpawn: (pid) => (leader = pid),
      onEvent: async (event) => {
        if (event.type !== 'runner_start' || groups.length) return;
        const group = await groupWithModuleSleep(leader);
        const members = new Set((await readFile(prepared.group!.procsFile, 'utf8')).split('\n').filter(Boolean).map(Number));
        for (const member of group) groups.push(`${member.args.split(' ')[0]}: ${members.has(member.pid)}`);
        controller.abort();
      },
    });
    expect(outcome.cancelled).toBe(true);
    expect(groups.length, groups.join(', ')).toBeGreaterThan(1);
    expect(groups.every((line) => line.endsWith(': true')), groups.join(', ')).toBe(true);
    // The server itself stays where it was: its own autogroup is its weight against the playbooks.
    const own = new Set((await readFile(prepared.group.procsFile, 'utf8')).split('\n').filter(Boolean).map(Number));
    expect(own.has(process.pid)).toBe(false);
  });

  it.each(['perl', 'python3'] as const)('the %s launcher makes a group, joins the CPU group, lowers the priority, and reports a command it cannot run', async (name) => {
    const kind = name === 'perl' ? 'perl' : 'python';
    const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    const procs = join(await scratch(), 'cgroup.procs');
    const probe = launchWith({ kind, path }, '/bin/sh', ['-c', 'echo "$$ $(ps -o pgid=,sid=,ni= -p $$)"'], 7, procs);
    const [pid, pgid, sid, nice] = execFileSync(probe.file, probe.args, { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    const ownSession = Number(execFileSync('ps', ['-o', 'sid=', '-p', String(process.pid)], { encoding: 'utf8' }).trim());
    expect({ pgid, sid, nice }).toEqual({ pgid: pid, sid: ownSession, nice: 7 });
    expect(readFileSync(procs, 'utf8')).toBe(`${pid}\n`);
    // A group it cannot join is said on stderr (the run's log), and the command runs anyway.
    const unjoinable = launchWith({ kind, path }, '/bin/echo', ['ran'], 7, '/nonexistent/cgroup.procs');
    const joined = spawnSync(unjoinable.file, unjoinable.args, { encoding: 'utf8' });
    expect({ status: joined.status, stdout: joined.stdout }).toEqual({ status: 0, stdout: 'ran\n' });
    expect(joined.stderr).toContain(`${JOIN_FAILED_MESSAGE} /nonexistent/cgroup.procs`);
    const missing = launchWith({ kind, path }, '/nonexistent/ansible-playbook', [], 7);
    const failed = spawnSync(missing.file, missing.args, { encoding: 'utf8' });
    expect(failed.status).toBe(LAUNCH_FAILED_EXIT_CODE);
    expect(failed.stderr).toContain(`${LAUNCH_FAILED_MESSAGE} /nonexistent/ansible-playbook`);
  });
});
