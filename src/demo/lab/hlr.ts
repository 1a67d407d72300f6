import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logger.ts';
import { startElementProcess } from './element-process.ts';
import type { LabElement } from './element.ts';
import { ctrlGet } from './osmo-ctrl.ts';
import { isTcpPortFree } from './ports.ts';

// osmo-hlr 1.5 (Debian 12) takes only an address for its GSUP, VTY and CTRL servers: the ports
// are fixed. Each lab therefore gets a loopback address of its own (all of 127.0.0.0/8 is
// loopback on Linux), derived from its directory so that it stays the same across restarts.
const GSUP_PORT = 4222;
const VTY_PORT = 4258;
const CTRL_PORT = 4259;

function config(address: string): string {
  return [
    'log stderr',
    ' logging filter all 1',
    ' logging color 0',
    ' logging print category 1',
    ' logging timestamp 1',
    ' logging level main notice',
    ' logging level db notice',
    ' logging level linp error',
    'line vty',
    ` bind ${address}`,
    'ctrl',
    ` bind ${address}`,
    'hlr',
    ' gsup',
    `  bind ip ${address}`,
    '',
  ].join('\n');
}

/** The lab's own loopback address: the first of a sequence derived from its directory with the HLR's ports free. */
async function addressFor(dir: string): Promise<string> {
  const seed = createHash('sha256').update(dir).digest();
  for (let attempt = 0; attempt < 64; attempt++) {
    const address = `127.42.${1 + ((seed[0]! + attempt * 7) % 250)}.${1 + ((seed[1]! + attempt * 13) % 250)}`;
    const free = await Promise.all([GSUP_PORT, VTY_PORT, CTRL_PORT].map((port) => isTcpPortFree(port, address)));
    if (free.every(Boolean)) return address;
  }
  throw new Error('no loopback address under 127.42.0.0/16 has the HLR\'s ports free');
}

/** Osmocom's HLR: subscribers by IMSI with MSISDN, 3G (milenage) keys and network access, managed over CTRL. */
export const osmoHlr: LabElement = {
  name: 'osmo-hlr',
  binary: '/usr/bin/osmo-hlr',
  debianPackages: ['osmo-hlr'],
  async start(dir: string, logger: Logger) {
    const address = await addressFor(dir);
    await fs.writeFile(path.join(dir, 'osmo-hlr.cfg'), config(address), { mode: 0o600 });
    const process = await startElementProcess(
      {
        name: 'osmo-hlr',
        command: this.binary,
        args: ['-c', 'osmo-hlr.cfg', '-l', 'hlr.db', '-s', '-U'],
        dir,
        // Any reply, an error for an unknown subscriber included, proves the CTRL server, the
        // main loop and the database work.
        ready: async () => /^(GET_REPLY|ERROR) 1 /.test(await ctrlGet(address, CTRL_PORT, 'subscriber.by-imsi-000000000000000.info')),
      },
      logger,
    );
    return {
      process,
      vars: { lab_hlr: { ctrl_host: address, ctrl_port: CTRL_PORT } },
      address: `CTRL ${address}:${CTRL_PORT}, VTY ${address}:${VTY_PORT}, GSUP ${address}:${GSUP_PORT}`,
    };
  },
};
