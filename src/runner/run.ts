import { performance } from 'node:perf_hooks';
import { createPrivateDir } from './ansible.ts';
import { readOutput } from './event-reader.ts';
import { closeSshConnections } from './inventory.ts';
import { notStartedOutcome, runOutcome } from './outcome.ts';
import { launchPlaybook, planRun, RunControl } from './spawn.ts';
import type { RunOutcome, RunSpec } from './types.ts';

/**
 * Run one playbook against localhost, or the target's inventory with the run's credentials, and
 * stream its events.
 * Resolves with the outcome whatever Ansible did; rejects only when the run
 * could not start (AnsibleNotFoundError, VariablesError) or a handler threw
 * (EventHandlerError). In every case the private temp dir is removed and no
 * process of the run's group survives a cancel.
 */
export async function runPlaybook(spec: RunSpec): Promise<RunOutcome> {
  const started = performance.now();
  const plan = await planRun(spec);
  if (spec.signal?.aborted) return notStartedOutcome(started);

  const dir = await createPrivateDir();
  const control = new RunControl(spec);
  try {
    const { subprocess, viaLauncher, varsFile } = await launchPlaybook(spec, plan, dir, control);
    const [result, output] = await Promise.all([subprocess, readOutput(subprocess, spec, { masker: plan.masker, varsFile, guard: control })]);
    return runOutcome({
      result,
      output,
      pid: control.pid,
      bin: plan.bin,
      viaLauncher,
      cancelled: control.cancelled,
      handlerFailure: control.handlerFailure,
      started,
    });
  } finally {
    control.release();
    if (spec.target) await closeSshConnections(dir.path);
    await dir.dispose();
  }
}
