// The reachability check: before a provision reserves anything, can Ansible reach its target?
import { fileURLToPath } from 'node:url';
import type { RunCredential } from './credentials.ts';
import type { RunTarget } from './inventory.ts';
import { runPlaybook } from './run.ts';

const REACHABILITY_PLAYBOOK = fileURLToPath(new URL('./ansible/reachability.yml', import.meta.url));

export interface UnreachableHost {
  host: string;
  message: string;
}

/**
 * Logs in to every host of the target (within its limit) with the run's credentials and runs
 * `ping`: the hosts that could not be reached or could not run it. Bounded by `timeoutMs`.
 */
export async function unreachableHosts(target: RunTarget, credentials: readonly RunCredential[], options: { timeoutMs: number; ansiblePlaybook?: string | undefined }): Promise<UnreachableHost[]> {
  const failed = new Map<string, string>();
  const outcome = await runPlaybook({
    playbookPath: REACHABILITY_PLAYBOOK,
    variables: {},
    checkMode: false,
    secrets: [],
    target,
    credentials,
    signal: AbortSignal.timeout(options.timeoutMs),
    ansiblePlaybook: options.ansiblePlaybook,
    onEvent: (event) => {
      if ((event.type === 'runner_unreachable' || event.type === 'runner_failed') && typeof event.host === 'string') {
        const message = event.result?.msg;
        failed.set(event.host, typeof message === 'string' && message.trim() ? message.trim() : event.type === 'runner_unreachable' ? 'unreachable' : 'ping failed');
      }
    },
  });
  if (outcome.cancelled) {
    const answered = new Set(Object.keys(outcome.stats?.hosts ?? {}));
    for (const host of Object.keys(target.inventory.hosts)) if (!answered.has(host) && !failed.has(host)) failed.set(host, `no answer within ${options.timeoutMs / 1000} s`);
  }
  return [...failed].map(([host, message]) => ({ host, message }));
}
