import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../config.ts';
import type { AppContext } from '../domain/context.ts';
import { createTarget, storedInventory, updateTarget } from '../domain/targets.ts';
import { LAB_TARGET, startLab, type Lab } from '../demo/lab/lab.ts';
import type { Closers } from './closers.ts';

/**
 * The lab's real network elements, for the demo products: started by the process that runs
 * playbooks outside a cluster unless PROVISIO_LAB=off, stopped after its runs (the closer is
 * pushed before the executor's), and described as the target `lab`, updated when an element's
 * address changed.
 */
export async function startLabElements(config: Config, context: Pick<AppContext, 'prisma' | 'logger' | 'ansiblePlaybook'>, closers: Closers): Promise<Lab | undefined> {
  if (config.lab === 'off') return undefined;
  const lab = await startLab(config.labDir, context.logger);
  closers.push(() => lab.stop());
  const description = 'The lab\'s real network elements on this machine (loopback), started with the server.';
  const current = await context.prisma.target.findUnique({ where: { name: LAB_TARGET } });
  if (!current) await createTarget(context, { name: LAB_TARGET, description, inventory: lab.inventory });
  else if (!isDeepStrictEqual(storedInventory(current.inventory), lab.inventory)) await updateTarget(context, current.id, { inventory: lab.inventory });
  for (const element of lab.elements) context.logger.info({ element: element.name, pid: element.pid, address: element.address }, `lab element ${element.name} started`);
  return lab;
}
