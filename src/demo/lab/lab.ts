import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../logger.ts';
import type { Inventory } from '../../runner/index.ts';
import type { LabElement, StartedElement } from './element.ts';
import { freeRadius } from './freeradius.ts';
import { osmoHlr } from './hlr.ts';
import { kamailio } from './kamailio.ts';

/** The target the demo products run against while the lab runs. */
export const LAB_TARGET = 'lab';

/** The real elements the lab runs where Debian's package is installed; the others stay stand-ins. */
export const LAB_ELEMENTS: readonly LabElement[] = [osmoHlr, freeRadius, kamailio];

export interface Lab {
  /** The lab as a target: one host, this machine, whose variables say where each element listens. */
  inventory: Inventory;
  elements: Array<{ name: string; pid: number; address: string }>;
  /** Stops every element (SIGTERM, then SIGKILL); their data stays for the next start. */
  stop(): Promise<void>;
}

/**
 * Starts the lab's real network elements, each with its configuration and data in a directory of
 * its own under `dir`, listening on loopback only. An element whose packages are missing is left
 * out (its products keep their stand-in); one that fails to start fails the lab, as half a lab
 * would make the demo lie.
 */
export async function startLab(dir: string, logger: Logger): Promise<Lab> {
  const started: Array<StartedElement & { name: string }> = [];
  try {
    for (const element of LAB_ELEMENTS) {
      const missing = [element.binary, ...(element.requires ?? [])].find((file) => !fs.existsSync(file));
      if (missing) {
        logger.warn({ element: element.name, missing }, `lab element ${element.name} is not installed (${missing} is missing; Debian packages ${element.debianPackages.join(', ')}; npm run setup installs them): its products use their stand-in`);
        continue;
      }
      const elementDir = path.join(dir, element.name);
      fs.mkdirSync(elementDir, { recursive: true, mode: 0o700 });
      started.push({ name: element.name, ...(await element.start(elementDir, logger)) });
    }
  } catch (error) {
    await Promise.all(started.map((element) => element.process.stop()));
    throw error;
  }
  const elementVars: Record<string, unknown> = Object.assign({}, ...started.map((element) => element.vars));
  // Where each element listens, for an operator verifying a provision by hand (README).
  fs.writeFileSync(path.join(dir, 'elements.json'), `${JSON.stringify(elementVars, null, 2)}\n`, { mode: 0o600 });
  return {
    inventory: {
      vars: {},
      hosts: { localhost: { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3', ...elementVars } },
      groups: {},
    },
    elements: started.map((element) => ({ name: element.name, pid: element.process.pid, address: element.address })),
    async stop() {
      await Promise.all(started.map((element) => element.process.stop()));
    },
  };
}
