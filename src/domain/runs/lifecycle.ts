import type { Prisma, PrismaClient, Product, ProvisioningRun } from '#generated/prisma/client.ts';
import type { InventoryStatus, RunStatus, ServiceStatus } from '#generated/prisma/enums.ts';
import type { RunOutcome, RunStats } from '../../runner/index.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { RunQueue } from '../ports/run-queue.ts';
import type { Logger } from '../../logger.ts';
import { untilDatabaseAnswers } from '../database-outage.ts';
import { publishPools } from '../inventory/index.ts';
import type { RunEventStore } from '../ports/run-event-store.ts';
import { RunEventRecorder } from './recorder.ts';
import { publishRunStatus } from './publish.ts';
import { actionItemKinds, settleActionInventory } from './action-items.ts';
import { actionTransition, productActions, type ActionTransition, productDefinition } from '../catalog/index.ts';
import { targetLimits } from '../targets.ts';
import type { ScheduledDelivery, WebhookOutbox } from '../webhooks/index.ts';
import { runEndNotifications } from './notifications.ts';
import { checkAfterRedeploy, recordSyncVerdict } from './sync-end.ts';
import type { LoadedRun, Verdict } from './status.ts';

export interface LifecycleDeps {
  prisma: PrismaClient;
  /** The process's group commit of run events. */
  eventStore: RunEventStore;
  events: EventBus;
  logger: Logger;
  queue: RunQueue;
  /** After a crash: run the deprovision playbook for interrupted provisions (else quarantine at once). */
  compensateInterrupted: boolean;
  defaultRunTimeoutSeconds: number;
  /** Notifications of run ends, services needing attention, quarantined items and low pools. */
  webhooks: WebhookOutbox;
}

/** Queues a run, honouring its product's concurrency limit and those of the target hosts and groups it touches. */
export async function enqueueRun(
  deps: { prisma: PrismaClient; queue: RunQueue },
  run: Pick<ProvisioningRun, 'id' | 'productId'>,
  product: Pick<Product, 'maxConcurrentRuns' | 'targetId' | 'targetHosts'>,
): Promise<void> {
  await enqueueRuns(deps, run.productId, [run.id], product);
}

/** Queues runs of one product at once (an order's items), in the order given, under the product's limits. */
export async function enqueueRuns(
  deps: { prisma: PrismaClient; queue: RunQueue },
  productId: string,
  runIds: readonly string[],
  product: Pick<Product, 'maxConcurrentRuns' | 'targetId' | 'targetHosts'>,
): Promise<void> {
  if (runIds.length === 0) return;
  const limits = [...(product.maxConcurrentRuns === null ? [] : [{ key: `product:${productId}`, limit: product.maxConcurrentRuns }]), ...(await targetLimits(deps.prisma, product))];
  await deps.queue.enqueue(runIds, { limits });
}

/**
 * A QUEUED run's place (1 = next to start). The in-process queue knows it exactly (it skips
 * products at their limit); a shared queue does not, so it is the number of runs queued before.
 */
export async function queuePosition(deps: Pick<LifecycleDeps, 'prisma' | 'queue'>, run: Pick<ProvisioningRun, 'id' | 'status' | 'queuedAt'>): Promise<number | null> {
  if (run.status !== 'QUEUED') return null;
  const local = deps.queue.position(run.id);
  if (local !== undefined) return local;
  const ahead = await deps.prisma.provisioningRun.count({ where: { status: 'QUEUED', queuedAt: { lt: run.queuedAt } } });
  return ahead + 1;
}

interface Transition {
  service: ServiceStatus;
  inventory?: InventoryStatus;
  /** Queue the product's deprovision playbook to undo what the stopped provision may have done. */
  compensate?: boolean;
}

const STOPPED: ReadonlySet<RunStatus> = new Set(['CANCELED', 'TIMED_OUT', 'INTERRUPTED']);

/** What a run's result means for its service and the inventory the service holds (design notes: States). */
export function lifecycleTransition(
  run: Pick<ProvisioningRun, 'action' | 'compensatesRunId'> & { serviceStatusBefore?: ServiceStatus | null },
  verdict: Verdict,
  options: { compensateInterrupted: boolean },
): Transition {
  const { status } = verdict;
  if (run.action === 'PROVISION') {
    if (status === 'SUCCEEDED') return { service: 'ACTIVE', inventory: 'IN_USE' };
    if (status === 'ROLLED_BACK') return { service: 'FAILED', inventory: 'AVAILABLE' };
    if (verdict.neverStarted) return { service: 'FAILED', inventory: 'AVAILABLE' };
    // Ansible runs no rescue on a signal: Provisio undoes the partial work itself.
    if (STOPPED.has(status) && (status !== 'INTERRUPTED' || options.compensateInterrupted)) return { service: 'PROVISIONING', compensate: true };
    // The playbook's own rollback did not complete: nobody knows the items' real state.
    return { service: 'NEEDS_ATTENTION', inventory: 'QUARANTINED' };
  }
  if (run.action === 'REDEPLOY') {
    // The service's record is unchanged whatever happened: a rescued or stopped re-deploy leaves
    // it as it was (a check tells what the network is now); only an unrescued failure needs a person.
    if (status === 'FAILED') return { service: 'NEEDS_ATTENTION' };
    return { service: run.serviceStatusBefore ?? 'ACTIVE' };
  }
  if (run.compensatesRunId) {
    // A compensating deprovision: success means the stopped provision left nothing behind.
    if (status === 'SUCCEEDED') return { service: 'FAILED', inventory: 'AVAILABLE' };
    return { service: 'NEEDS_ATTENTION', inventory: 'QUARANTINED' };
  }
  if (status === 'SUCCEEDED') return { service: 'DEPROVISIONED', inventory: 'AVAILABLE' };
  // Back to what it was: a suspended line stays suspended.
  if (status === 'ROLLED_BACK' || verdict.neverStarted) return { service: run.serviceStatusBefore ?? 'ACTIVE', inventory: 'IN_USE' };
  // A failed deprovision keeps the items held: they may still be configured in the network.
  return { service: 'NEEDS_ATTENTION', inventory: 'IN_USE' };
}

/** How a run ended, beside its verdict. */
export interface RunEnd {
  /** What ansible-playbook did; undefined when it never started. */
  outcome?: RunOutcome | undefined;
  /** The recorder of the run's events in this process; without one, a recorder continues after the run's last stored event. */
  recorder?: RunEventRecorder | undefined;
  /**
   * Only while the run is still this worker's: a run taken over by crash recovery (this process
   * looked dead: a database stall outlasting the heartbeats) keeps the outcome recovery gave it.
   */
  owner?: string | undefined;
}

/** What a run's end changes beside the run: its service (by lifecycle or by action) and items. */
interface EndPlan {
  action: ActionTransition | undefined;
  transition: Transition | undefined;
}

/**
 * Cancels a run that has not started (SCHEDULED or QUEUED): only one of this, a worker's claim and
 * the scheduler moves it on. Nothing ran, so a provision's items go back to the pool. False when
 * it had started or ended.
 */
export async function cancelQueuedRun(deps: LifecycleDeps, run: LoadedRun, reason: string, requestedAt = new Date()): Promise<boolean> {
  const { count } = await deps.prisma.provisioningRun.updateMany({ where: { id: run.id, status: { in: ['SCHEDULED', 'QUEUED'] } }, data: { status: 'CANCELED', cancelRequestedAt: requestedAt } });
  if (count === 0) return false;
  await deps.queue.remove(run.id);
  await finishRun(deps, run, { status: 'CANCELED', reason, neverStarted: true });
  return true;
}

/**
 * Ends a run: records its last event (`run_finished`), then in one transaction its status and
 * what that means for its service and inventory (including queuing a compensating deprovision)
 * and the notifications of it. The terminal update is published after the commit, after the
 * run's last event.
 */
export async function finishRun(deps: LifecycleDeps, run: LoadedRun, verdict: Verdict, end: RunEnd = {}): Promise<void> {
  const recorder = end.recorder ?? new RunEventRecorder(deps.eventStore, deps.events, run.id, run.lastSeq);
  await recorder.recordSystemEvent('run_finished', { status: verdict.status, reason: verdict.reason, exitCode: end.outcome?.exitCode ?? null });
  await recorder.flush();
  const action = run.action === 'ACTION' && run.service ? actionTransitionOf(run, verdict) : undefined;
  const plan: EndPlan = { action, transition: run.checkMode || !run.service || action ? undefined : lifecycleTransition(run, verdict, deps) };
  let deliveries: ScheduledDelivery[] = [];
  // Through a database outage: a run's end must be recorded, and the transaction is all or nothing.
  const finished = await untilDatabaseAnswers(
    () =>
      deps.prisma.$transaction(async (tx) => {
        const ended = await applyRunEnd(tx, deps, run, verdict, { ...end, recorder }, plan);
        // In the same transaction: a notification exists exactly when the change it reports does.
        if (ended !== 'taken over') deliveries = await deps.webhooks.record(tx, await runEndNotifications(tx, run, verdict));
        return ended;
      }),
    { what: `recording the end of run ${run.id}`, logger: deps.logger },
  );
  if (finished === 'taken over') {
    deps.logger.warn({ runId: run.id, owner: end.owner, status: verdict.status }, 'run was taken over by crash recovery while this process ran it: its outcome here is dropped');
    return;
  }
  // A compensating deprovision, or the check after a re-deploy.
  const followUp = finished;
  publishRunStatus(deps.events, run.id, verdict.status, recorder.lastSeq);
  await deps.webhooks.schedule(deliveries);
  if (followUp) await enqueueRun(deps, followUp, run.product);
  if (plan.transition?.inventory && run.service) {
    await publishPools(deps, new Set(run.service.inventoryItems.map((item) => item.kind)));
  }
  const actionKinds = action && run.service ? actionItemKinds(run, run.service.inventoryItems) : undefined;
  if (actionKinds?.size) await publishPools(deps, actionKinds);
  deps.logger.info(
    { runId: run.id, action: run.action, status: verdict.status, reason: verdict.reason, followUpRunId: followUp?.id },
    'run finished',
  );
}

/** The writes of a run's end; returns the run it queued after it (a compensation, a check), if any. */
async function applyRunEnd(
  tx: Prisma.TransactionClient,
  deps: LifecycleDeps,
  run: LoadedRun,
  verdict: Verdict,
  end: RunEnd & { recorder: RunEventRecorder },
  { action, transition }: EndPlan,
): Promise<ProvisioningRun | 'taken over' | undefined> {
  const { outcome, recorder } = end;
  const { count } = await tx.provisioningRun.updateMany({
    where: { id: run.id, ...(end.owner ? { workerId: end.owner } : {}) },
    data: {
      status: verdict.status,
      statusReason: verdict.reason,
      exitCode: outcome?.exitCode ?? null,
      stats: (outcome?.stats ?? undefined) as Prisma.InputJsonValue | undefined,
      log: outcome?.log ?? '',
      finishedAt: new Date(),
      lastSeq: recorder.lastSeq,
      pid: null,
      currentTask: null,
      currentHost: null,
      ...recorder.counters,
    },
  });
  if (count === 0) return 'taken over';
  if (!run.service) return undefined;
  if (run.action === 'CHECK_SYNC') {
    // A check cancelled (before it started, or stopped by an operator) says nothing of the network: the last verdict stands.
    if (!verdict.neverStarted && verdict.status !== 'CANCELED') await recordSyncVerdict(tx, run, verdict.status, recorder.counters.changedCount);
    return undefined;
  }
  if (action) {
    const reason = `action ${run.actionName} ${verdict.status}${verdict.reason ? `: ${verdict.reason}` : ''}`;
    await tx.service.update({
      where: { id: run.service.id },
      data: { status: action.service, statusReason: action.service === 'ACTIVE' && verdict.status === 'SUCCEEDED' ? null : reason, ...(action.variables ? { variables: action.variables as Prisma.InputJsonObject } : {}) },
    });
    await settleActionInventory(tx, { ...run, serviceId: run.service.id }, action, verdict);
    return undefined;
  }
  if (!transition) return undefined;
  await tx.service.update({
    where: { id: run.service.id },
    data: {
      status: transition.service,
      statusReason: serviceReason(run, verdict, transition),
      ...((run.action === 'PROVISION' || run.action === 'REDEPLOY') && verdict.status === 'SUCCEEDED' ? { outputs: outputsOf(outcome?.stats) as Prisma.InputJsonObject } : {}),
      // A re-deploy moves the service to the revision it ran (an upgrade, when that is newer).
      ...(run.action === 'REDEPLOY' && verdict.status === 'SUCCEEDED' && run.productRevision !== null ? { productRevision: run.productRevision } : {}),
    },
  });
  if (transition.inventory) {
    await tx.inventoryItem.updateMany({
      where: { serviceId: run.service.id },
      data: {
        status: transition.inventory,
        // Freed items leave the service; quarantined and in-use ones stay linked to it.
        ...(transition.inventory === 'AVAILABLE' ? { serviceId: null } : {}),
        statusReason: `${run.action.toLowerCase()} run ${verdict.status}`,
      },
    });
  }
  // A re-deploy is followed by a check of what it left.
  if (run.action === 'REDEPLOY' && transition.service === 'ACTIVE') return tx.provisioningRun.create({ data: checkAfterRedeploy(run, run.service) });
  if (!transition.compensate) return undefined;
  return tx.provisioningRun.create({
    data: {
      productId: run.productId,
      serviceId: run.service.id,
      partnerId: run.partnerId,
      action: 'DEPROVISION',
      playbook: run.product.deprovisionPlaybook,
      // The safety net gets at least the server default: a product's tight timeout (often the
      // reason a provision was stopped) should not also stop its undo.
      timeoutSeconds: Math.max(run.timeoutSeconds, deps.defaultRunTimeoutSeconds),
      compensatesRunId: run.id,
    },
  });
}

function actionTransitionOf(run: LoadedRun, verdict: Verdict): ActionTransition {
  const action = productActions(run.product.actions).find((candidate) => candidate.name === run.actionName);
  const productVariables = new Set(Object.keys(productDefinition(run.product).variableSchema.properties));
  return actionTransition(action, { status: run.service!.status, variables: run.service!.variables as Record<string, unknown> }, verdict, {
    actionVariables: (run.actionVariables ?? {}) as Record<string, unknown>,
    productVariables,
  });
}

function serviceReason(run: LoadedRun, verdict: Verdict, transition: Transition): string | null {
  if (transition.service === 'ACTIVE' && verdict.status === 'SUCCEEDED') return null;
  if (transition.service === 'DEPROVISIONED') return null;
  const what = run.compensatesRunId ? 'compensating deprovision' : `${run.action.toLowerCase()} run`;
  const suffix = transition.compensate ? '; compensating with the deprovision playbook' : '';
  return `${what} ${verdict.status}${verdict.reason ? `: ${verdict.reason}` : ''}${suffix}`;
}

/** set_stats data: aggregated stats (per_host: false) first, then per-host ones. */
function outputsOf(stats: RunStats | null | undefined): Record<string, unknown> {
  if (!stats) return {};
  const { _run: aggregated, ...perHost } = stats.custom ?? {};
  return Object.assign({}, ...Object.values(perHost), aggregated ?? {});
}
