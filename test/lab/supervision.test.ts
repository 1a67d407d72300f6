import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDataDir } from '../support/app.ts';
import { labProfile } from '../support/lab.ts';
import { spawnServer } from '../support/server-process.ts';
import { eventually } from '../support/wait.ts';

// The lab's elements live and die with the server: a graceful stop stops them, and so does a
// kill -9 of the server (no element left holding its ports, so the next start runs the lab again).
// While they run, none has a socket bound beyond loopback.

const ELEMENTS = ['osmo-hlr', 'freeradius', 'kamailio'];
const installed = labProfile && ['/usr/bin/osmo-hlr', '/usr/sbin/freeradius', '/usr/sbin/kamailio'].every((binary) => fs.existsSync(binary));
const dataDir = freshDataDir();
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** The command name of a live process; undefined when it is gone or a zombie. */
function liveCommand(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? undefined : command;
  } catch {
    return undefined;
  }
}

/** The server's children that are lab elements (every one is a direct child: setpriv execs it). */
function elementsOf(serverPid: number): Array<{ pid: number; command: string }> {
  const children = fs.readFileSync(`/proc/${serverPid}/task/${serverPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.map((pid) => ({ pid, command: liveCommand(pid) ?? '' })).filter((child) => ELEMENTS.includes(child.command));
}

/** The processes of an element: its main process and the workers it forked (Kamailio's). */
function processTree(pid: number): number[] {
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return [pid, ...children.flatMap(processTree)];
}

/** The local addresses (`address:port`, IPv4 only; an IPv6 one as its hex) of the sockets these processes hold. */
function boundAddresses(pids: number[]): string[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      const link = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' }));
      if (link) inodes.add(link[1]!);
    }
  }
  const addresses: string[] = [];
  for (const table of ['tcp', 'udp', 'tcp6', 'udp6']) {
    for (const row of fs.readFileSync(`/proc/net/${table}`, 'utf8').trim().split('\n').slice(1)) {
      const columns = row.trim().split(/\s+/);
      if (!inodes.has(columns[9]!)) continue;
      const [hex, port] = columns[1]!.split(':') as [string, string];
      // /proc/net/tcp has an IPv4 address as 8 hex digits, its bytes in host (little-endian) order.
      const address = hex.length === 8 ? [...hex.match(/../g)!].reverse().map((byte) => parseInt(byte, 16)).join('.') : hex;
      addresses.push(`${address}:${parseInt(port, 16)}`);
    }
  }
  return addresses;
}

describe.skipIf(!installed)('the lab\'s elements under the server', () => {
  it('listen on loopback only, stop when the server is killed with SIGKILL, start again with the next server, and stop with its SIGTERM', async () => {
    const env = { PROVISIO_DATA_DIR: dataDir, PROVISIO_LAB: 'auto' };
    const first = await spawnServer(env);
    const elements = elementsOf(first.process.pid!);
    expect(elements.map((element) => element.command).sort()).toEqual([...ELEMENTS].sort());
    const bound = boundAddresses(elements.flatMap((element) => processTree(element.pid)));
    expect(bound.length).toBeGreaterThan(3);
    expect(bound.filter((address) => !address.startsWith('127.'))).toEqual([]);

    first.process.kill('SIGKILL');
    await first.process;
    await eventually(() => elements.filter((element) => liveCommand(element.pid) !== undefined), (left) => left.length === 0, 'the elements to stop after the server was killed', 30_000);

    const second = await spawnServer(env);
    const again = elementsOf(second.process.pid!);
    expect(again.map((element) => element.command).sort()).toEqual([...ELEMENTS].sort());
    second.process.kill('SIGTERM');
    expect((await second.process).exitCode).toBe(0);
    expect(again.filter((element) => liveCommand(element.pid) !== undefined)).toEqual([]);
  });
});
