import { classifyOutcome, EventHandlerError, runPlaybook, type RunOutcome, type RunStats } from '../../runner/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import { NO_METRICS, type RunMetrics } from '../ports/metrics.ts';
import { BULK_CANCELLED, claimRun } from './claim.ts';
import { executionInputs, loadRunForExecution } from './execution-inputs.ts';
import { describeFailure, RunEventRecorder, type TaskFailure } from './recorder.ts';
import { cancelQueuedRun, finishRun, type LifecycleDeps } from './lifecycle.ts';
import { syncStateOf } from './sync-end.ts';
import { publishRunStatus } from './publish.ts';
import type { Verdict } from './status.ts';

export interface ExecutorDeps extends LifecycleDeps {
  playbooksDir: string;
  /** The ansible-playbook executable (PROVISIO_ANSIBLE_PLAYBOOK); unset: `ansible-playbook` on PATH. */
  ansiblePlaybook?: string | undefined;
  /** Environment for ansible-playbook (e.g. PROVISIO_LAB_DIR for the demo playbooks). */
  playbookEnv: Record<string, string>;
  /** Identifies this process as the owner of the runs it executes (crash recovery). */
  workerId: string;
  /** Grace between SIGINT and SIGKILL when a run is stopped. */
  killGraceMs: number;
  /** Opens the stored secrets a playbook gets. */
  secrets: SecretBox;
  /** Nice value for ansible-playbook and its session, so the server keeps its share of the CPU. */
  ansibleNice?: number | undefined;
  /** The `cgroup.procs` of this process's playbook CPU group; unset: the playbooks share the server's autogroup. */
  playbookCpuGroup?: string | undefined;
  /** Where runs and events are counted for /metrics. */
  metrics?: RunMetrics | undefined;
  /** Cluster profile: runs come from a queue shared by several workers, whose limits the claim checks. */
  sharedQueue?: boolean | undefined;
  /** Cluster profile: runs RUNNING at once across all workers (each worker also has its own limit). */
  clusterMaxRuns?: number | undefined;
}

/** Executes queued runs in this process: claims, runs the playbook, records events, applies the outcome. */
export class RunExecutor {
  private readonly deps: ExecutorDeps;
  private readonly running = new Map<string, AbortController>();

  constructor(deps: ExecutorDeps) {
    this.deps = deps;
  }

  get activeRunIds(): string[] {
    return [...this.running.keys()];
  }

  async execute(runId: string): Promise<void> {
    const { prisma, events, workerId } = this.deps;
    // Already executing here (a duplicate delivery): the first execution keeps its cancel handle.
    if (this.running.has(runId)) return;
    // Registered before the claim, so a cancel arriving right after the claim finds it.
    const controller = new AbortController();
    this.running.set(runId, controller);
    const claim = await claimRun(prisma, runId, workerId, { shared: this.deps.sharedQueue ?? false, clusterLimit: this.deps.clusterMaxRuns, signal: controller.signal }).catch((error: unknown) => {
      this.running.delete(runId);
      throw error;
    });
    if (claim === BULK_CANCELLED) await cancelQueuedRun(this.deps, await loadRunForExecution(prisma, runId), 'its bulk operation was cancelled before it started');
    if (!claim || claim === BULK_CANCELLED) {
      this.running.delete(runId);
      return;
    }
    const run = await loadRunForExecution(prisma, runId);
    publishRunStatus(events, runId, 'RUNNING', run.lastSeq);

    const metrics = this.deps.metrics ?? NO_METRICS;
    metrics.runClaimed(run.action, ((run.startedAt ?? new Date()).getTime() - run.queuedAt.getTime()) / 1000);
    const recorder = new RunEventRecorder(this.deps.eventStore, events, runId, run.lastSeq, { metrics });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, run.timeoutSeconds * 1000);
    let outcome: RunOutcome | undefined;
    let error: unknown;
    try {
      // Cancelled between the claim and here: nothing has started.
      if (controller.signal.aborted) throw new Error(String((controller.signal.reason as Error | undefined)?.message ?? 'cancelled'));
      const inputs = await executionInputs(this.deps, run, claim);
      outcome = await runPlaybook({
        ...inputs,
        checkMode: run.checkMode,
        signal: controller.signal,
        graceMs: this.deps.killGraceMs,
        nice: this.deps.ansibleNice,
        cpuGroupProcs: this.deps.playbookCpuGroup,
        env: this.deps.playbookEnv,
        ansiblePlaybook: this.deps.ansiblePlaybook,
        onSpawn: (pid) => {
          // Only while the run is RUNNING: a late write must not leave a pid on a finished run.
          void prisma.provisioningRun.updateMany({ where: { id: runId, status: 'RUNNING' }, data: { pid } }).catch(() => {});
        },
        onEvent: (event) => recorder.record(event),
      });
    } catch (caught) {
      error = caught;
      // The run was stopped because recording its events failed: Ansible did run.
      if (caught instanceof EventHandlerError) outcome = caught.outcome;
    } finally {
      clearTimeout(timer);
      this.running.delete(runId);
    }
    await recorder.flush().catch((flushError: unknown) => {
      error ??= flushError;
    });
    if (outcome?.stats) recorder.applyStats(outcome.stats);
    const verdict = judge(outcome, error, { timedOut, timeoutSeconds: run.timeoutSeconds, abortReason: controller.signal.reason, failure: recorder.firstFailure });
    if (error) this.deps.logger.error({ err: error, runId }, 'run failed to execute');
    await finishRun(this.deps, run, verdict, { outcome, recorder, owner: workerId });
    metrics.runFinished(run.action, verdict.status, run.product.slug, (Date.now() - (run.startedAt ?? run.queuedAt).getTime()) / 1000);
    // An upgrade's preview (a check against a revision the service does not have) finds no drift.
    const previewsUpgrade = run.productRevision !== null && run.productRevision !== run.service?.productRevision;
    if (run.action === 'CHECK_SYNC' && !previewsUpgrade) metrics.syncChecked(run.product.slug, syncStateOf(verdict.status, recorder.counters.changedCount));
  }

  /**
   * Stops the runs of this process that were cancelled through another process: the message on
   * the event bus does it at once; this check of the database flag is the fallback when a
   * message was lost (a Redis restart).
   */
  async stopCancelledRuns(): Promise<void> {
    if (this.running.size === 0) return;
    const stopped = await this.deps.prisma.provisioningRun.findMany({
      where: {
        id: { in: [...this.running.keys()] },
        OR: [
          { status: 'RUNNING', cancelRequestedAt: { not: null } },
          // Taken over by crash recovery elsewhere (this process looked dead): stop the playbook.
          { status: { not: 'QUEUED' }, NOT: { status: 'RUNNING', workerId: this.deps.workerId } },
        ],
      },
      select: { id: true, status: true, workerId: true },
    });
    for (const run of stopped) this.stop(run.id, run.status === 'RUNNING' && run.workerId === this.deps.workerId ? 'cancelled by request' : 'taken over by crash recovery');
  }

  /** Follows cancel messages from every instance; returns the function that stops following. */
  followCancels(): () => void {
    const messages = this.deps.events.subscribe('run:cancel');
    void (async () => {
      for await (const message of messages) this.stop(message.runId, message.reason);
    })().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'cancel messages stopped'));
    return () => void messages.return?.();
  }

  /** Stops a running run (SIGINT to its process group, then SIGKILL). Returns false if not running here. */
  stop(runId: string, reason: string): boolean {
    const controller = this.running.get(runId);
    if (!controller) return false;
    controller.abort(new Error(reason));
    return true;
  }

  /**
   * Stops a run because this process is going away (shutdown): nobody cancelled it, so it ends
   * INTERRUPTED and is compensated (or quarantined) like a run of a crashed process.
   */
  interrupt(runId: string, reason: string): boolean {
    const controller = this.running.get(runId);
    if (!controller) return false;
    controller.abort(new Interruption(reason));
    return true;
  }
}

/** The abort reason of a run stopped by its own process going away, not by a cancel. */
class Interruption extends Error {
  override name = 'Interruption';
}

function judge(
  outcome: RunOutcome | undefined,
  error: unknown,
  context: { timedOut: boolean; timeoutSeconds: number; abortReason: unknown; failure: TaskFailure | undefined },
): Verdict {
  const failed = context.failure ? describeFailure(context.failure) : undefined;
  const interrupted = context.abortReason instanceof Interruption;
  if (!outcome) {
    // ansible-playbook never started (cancelled first, playbook gone, Ansible missing): the network is untouched.
    const status = context.abortReason ? (context.timedOut ? 'TIMED_OUT' : interrupted ? 'INTERRUPTED' : 'CANCELED') : 'FAILED';
    return { status, reason: `the playbook did not start: ${(error as Error)?.message ?? String(error)}`, neverStarted: true };
  }
  if (outcome.cancelled && interrupted) return { status: 'INTERRUPTED', reason: `stopped because ${(context.abortReason as Error).message}` };
  if (outcome.cancelled) {
    return context.timedOut
      ? { status: 'TIMED_OUT', reason: `stopped after the run timeout of ${context.timeoutSeconds} s` }
      : { status: 'CANCELED', reason: `cancelled: ${String((context.abortReason as Error | undefined)?.message ?? 'by request')}` };
  }
  if (error) return { status: 'FAILED', reason: `event recording failed: ${(error as Error).message}` };
  switch (classifyOutcome(outcome)) {
    case 'succeeded':
      return { status: 'SUCCEEDED', reason: null };
    case 'rolled_back':
      return { status: 'ROLLED_BACK', reason: `${failed ?? 'a task failed'}; the rescue section undid the changes` };
    default:
      if (outcome.pluginFailed) return { status: 'FAILED', reason: 'the event callback could not write its stream' };
      if (!outcome.statsReceived) return { status: 'FAILED', reason: `ansible-playbook ended without final stats (exit ${outcome.exitCode ?? outcome.signal}): ${lastLine(outcome.log)}` };
      if (outcome.stats && neverReached(outcome.stats)) return { status: 'FAILED', reason: `${failed ?? 'no host was reachable'}; no host was reached, so nothing is left to undo`, neverStarted: true };
      return { status: 'FAILED', reason: `${failed ?? `ansible-playbook exited with ${outcome.exitCode}: a task failed`}; no rescue recovered it` };
  }
}

/** Every host was unreachable before any task succeeded or failed on it: the network is untouched. */
function neverReached(stats: RunStats): boolean {
  const hosts = Object.values(stats.hosts);
  return hosts.length > 0 && hosts.every((host) => host.unreachable > 0 && host.ok === 0 && host.changed === 0 && host.failures === 0 && host.rescued === 0);
}

function lastLine(log: string): string {
  return log.trim().split('\n').filter(Boolean).slice(-1)[0]?.slice(0, 300) ?? '';
}
