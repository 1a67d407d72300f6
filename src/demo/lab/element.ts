import type { Logger } from '../../logger.ts';
import type { ElementProcess } from './element-process.ts';

/** A kind of real network element the lab can run (from a Debian package). */
export interface LabElement {
  name: string;
  /** The daemon; without it the element is left out and its products use their stand-in. */
  binary: string;
  /** Other files it cannot run without (a module package's): a missing one leaves it out too. */
  requires?: readonly string[];
  /** What `npm run setup` installs for it: the daemon's package first, then what its tests or probes need. */
  debianPackages: readonly string[];
  /** Starts it with its configuration and data in `dir` (its own), listening on loopback only. */
  start(dir: string, logger: Logger): Promise<StartedElement>;
}

export interface StartedElement {
  process: ElementProcess;
  /** Host variables the demo playbooks find it by (e.g. `lab_hlr: { ctrl_host, ctrl_port }`). */
  vars: Record<string, unknown>;
  /** Where it listens, for the start-up log and `lab/elements.json`. */
  address: string;
}
