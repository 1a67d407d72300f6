import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Config } from '../../src/config.ts';
import { LAB_TARGET } from '../../src/demo/lab/lab.ts';
import { ctrlGet } from '../../src/demo/lab/osmo-ctrl.ts';
import { seedDemoData } from '../../src/demo/seed.ts';
import { startTestApp, type TestApp } from './app.ts';
import { profile } from './database.ts';
import { rawQuery } from './client.ts';
import { allEvents, waitForRun } from './runs.ts';
import { freeUdpPort } from '../../src/demo/lab/ports.ts';
import { executionInputs, loadRunForExecution } from '../../src/domain/runs/execution-inputs.ts';
import { runPlaybook, type RunnerEvent } from '../../src/runner/index.ts';

interface LabSip {
  host: string;
  port: number;
  domain: string;
  db: string;
  ctl: string;
}

/**
 * The lab's tests run on the embedded profile only: its elements and playbooks are the same on
 * either database, and they are the suite's slowest files (20 runs at once against one element).
 */
export const labProfile = profile === 'embedded';

/** Where the lab's elements listen: what the server wrote to `<labDir>/elements.json` at start. */
export function labElements(labDir: string): {
  lab_hlr?: { ctrl_host: string; ctrl_port: number };
  lab_radius?: { host: string; auth_port: number; acct_port: number; secret_file: string; db: string };
  lab_sip?: LabSip;
} {
  return JSON.parse(fs.readFileSync(path.join(labDir, 'elements.json'), 'utf8'));
}

export interface HlrSubscriber {
  msisdn: string | undefined;
  csEnabled: boolean;
  psEnabled: boolean;
  k: string | undefined;
  opc: string | undefined;
}

/** A subscriber as the HLR's own CTRL interface shows it; undefined: the HLR has no such IMSI. */
export async function hlrSubscriber(labDir: string, imsi: string): Promise<HlrSubscriber | undefined> {
  const hlr = labElements(labDir).lab_hlr;
  if (!hlr) throw new Error('the lab runs no HLR');
  const reply = await ctrlGet(hlr.ctrl_host, hlr.ctrl_port, `subscriber.by-imsi-${imsi}.info-all`);
  if (/^ERROR 1 No such subscriber/.test(reply)) return undefined;
  if (!reply.startsWith('GET_REPLY 1 ')) throw new Error(`the HLR answered: ${reply}`);
  const fields = new Map(reply.split('\n').filter((line) => line.includes('\t')).map((line) => line.split('\t', 2) as [string, string]));
  return {
    msisdn: fields.get('msisdn'),
    csEnabled: fields.get('nam_cs') === '1',
    psEnabled: fields.get('nam_ps') === '1',
    k: fields.get('aud3g.k'),
    opc: fields.get('aud3g.opc'),
  };
}

export interface RadiusAnswer {
  code: 'Accept' | 'Reject';
  /** The reply's attributes as radclient prints them (strings unquoted); a repeated one keeps its last value. */
  attributes: Record<string, string>;
}

/**
 * An Access-Request (PAP) to the lab's FreeRADIUS through Debian's radclient, as a NAS would send
 * it. radclient exits 1 on an Access-Reject as on no answer, so its output decides.
 */
export async function radiusAuth(labDir: string, username: string, password: string): Promise<RadiusAnswer> {
  const radius = labElements(labDir).lab_radius;
  if (!radius) throw new Error('the lab runs no RADIUS');
  const secret = fs.readFileSync(radius.secret_file, 'utf8').trim();
  const child = spawn('radclient', ['-x', '-r', '2', '-t', '3', `${radius.host}:${radius.auth_port}`, 'auth', secret], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stdin.end(`User-Name = ${JSON.stringify(username)}\nUser-Password = ${JSON.stringify(password)}\n`);
  await new Promise((resolve) => child.once('close', resolve));
  // Only what follows "Received": radclient -x prints the request's attributes before it.
  const received = /^Received Access-(Accept|Reject) .*$/m.exec(output);
  if (!received) throw new Error(`no answer from the RADIUS: ${output}`);
  const attributes: Record<string, string> = {};
  for (const line of output.slice(received.index).split('\n').slice(1)) {
    const attribute = /^\t([\w-]+) = "?(.*?)"?$/.exec(line);
    if (!attribute) break;
    attributes[attribute[1]!] = attribute[2]!;
  }
  return { code: received[1] as RadiusAnswer['code'], attributes };
}

function labSip(labDir: string): LabSip {
  const sip = labElements(labDir).lab_sip;
  if (!sip) throw new Error('the lab runs no SIP registrar');
  return sip;
}

export interface SipRegistration {
  /** sipp's exit code: 0 when the final answer was the one the scenario expects (200, or 401 then 403). */
  code: number | null;
  /** The 200 OK's X-Caller-Name (register-ok only). */
  callerName: string | undefined;
  output: string;
}

/**
 * A REGISTER with digest authentication, by sipp, as `user` (the number's digits) of the lab's
 * registrar: `expect: 'ok'` succeeds (code 0) on a final 200, `'refused'` on a 401 then a 403.
 * sipp binds loopback ports the kernel has free (its defaults could meet another test's).
 */
export async function sipRegister(labDir: string, user: string, password: string, expect: 'ok' | 'refused'): Promise<SipRegistration> {
  // sipp exits 0 (the expected answer) or 1 (another one); any other code is sipp failing to run
  // (a local port another sipp took between the probe and the bind, on a busy host): try again.
  for (let attempt = 1; ; attempt++) {
    const registration = await sippRegister(labSip(labDir), user, password, expect);
    if (registration.code === 0 || registration.code === 1 || attempt === 3) return registration;
  }
}

async function sippRegister(sip: LabSip, user: string, password: string, expect: 'ok' | 'refused'): Promise<SipRegistration> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-sipp-'));
  const [sipPort, mediaPort, controlPort] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
  const scenario = new URL(`../lab/sipp/register-${expect}.xml`, import.meta.url).pathname;
  const logFile = path.join(dir, 'log');
  const args = [
    `${sip.host}:${sip.port}`, '-sf', scenario, '-t', 'u1',
    '-i', '127.0.0.1', '-bind_local', '-p', String(sipPort), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-ci', '127.0.0.1', '-cp', String(controlPort),
    '-s', user, '-au', user, '-ap', password, '-auth_uri', sip.domain, '-key', 'domain', sip.domain, '-key', 'expires', '600',
    '-m', '1', '-nostdin', '-timeout', '10s', '-timeout_error', '-trace_logs', '-log_file', logFile,
  ];
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile('sipp', args, { cwd: dir, timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: `${stdout}${stderr}` });
      });
    });
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    return { code, callerName: /X-Caller-Name: (.*)/.exec(log)?.[1]?.trim(), output: `${log}${output.slice(-2_000)}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The registrar's subscribers as its database has them (no passwords). */
export function sipSubscribers(labDir: string): Array<{ username: string; domain: string; caller_name: string }> {
  const database = new DatabaseSync(labSip(labDir).db, { readOnly: true });
  try {
    return database.prepare('SELECT username, domain, caller_name FROM subscriber ORDER BY username').all() as Array<{ username: string; domain: string; caller_name: string }>;
  } finally {
    database.close();
  }
}

/** A server with the lab running and the demo products seeded against it, as `npm start` has them. */
export async function startLabApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const server = await startTestApp({ lab: 'auto', ...overrides });
  await seedDemoData(server.app.context, { target: LAB_TARGET });
  return server;
}

/** Runs a service action and waits for its run to finish. */
export async function runAction(server: TestApp, serviceId: string, action: string, variables: Record<string, unknown> = {}) {
  const result = (await rawQuery(server, `mutation ($input: RunServiceActionInput!) { runServiceAction(input: $input) { __typename ... on RunServiceActionSuccess { started { run { id } } } ... on Error { message } } }`, { input: { serviceId, action, variables } })).runServiceAction;
  if (result.__typename !== 'RunServiceActionSuccess') throw new Error(`${action} was refused: ${JSON.stringify(result)}`);
  return waitForRun(server, result.started.run.id as string);
}

/**
 * Runs a finished run's playbook once more with the inputs the engine gave it (its variables,
 * its inventory, the lab target), as a repeated provision or a drift check would: with
 * `checkMode` nothing changes, and `--diff` is always on. `product` overrides product variables.
 */
export async function replayRun(server: TestApp, runId: string, options: { checkMode?: boolean; product?: Record<string, unknown> } = {}) {
  const context = server.app.context;
  // The API's run id is a Relay global id: "ProvisioningRun:<uuid>", base64.
  const run = await loadRunForExecution(context.prisma, Buffer.from(runId, 'base64').toString('utf8').split(':')[1]!);
  const target = await context.prisma.target.findUniqueOrThrow({ where: { name: LAB_TARGET } });
  const inputs = await executionInputs(context, run, { target });
  const events: RunnerEvent[] = [];
  const outcome = await runPlaybook({
    ...inputs,
    variables: { ...inputs.variables, product: { ...(inputs.variables['product'] as object), ...options.product } },
    checkMode: options.checkMode ?? false,
    diff: true,
    env: { PROVISIO_LAB_DIR: server.config.labDir },
    onEvent: (event) => void events.push(event),
  });
  const hosts = Object.values(outcome.stats?.hosts ?? {});
  const diffs = new Map<string, unknown[]>();
  for (const event of events) if (event.type === 'diff' && event.task) diffs.set(event.task, [...(diffs.get(event.task) ?? []), ...(event.diff ?? [])]);
  return { exitCode: outcome.exitCode, changed: hosts.reduce((sum, host) => sum + host.changed, 0), diffs, events, log: outcome.log };
}

/** A run's diffs as its stored events have them, by task: what a preview shows would change. */
export async function runDiffs(server: TestApp, runId: string): Promise<Map<string, unknown[]>> {
  const diffs = new Map<string, unknown[]>();
  for (const event of await allEvents(server, runId)) {
    if (event.type !== 'diff' || !event.task) continue;
    diffs.set(event.task, [...(diffs.get(event.task) ?? []), ...((event.data as { diff?: unknown[] } | null)?.diff ?? [])]);
  }
  return diffs;
}
