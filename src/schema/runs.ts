import { RunAction, RunStatus } from '#generated/prisma/enums.ts';
import type { Prisma } from '#generated/prisma/client.ts';
import { builder } from './builder.ts';
import { visibleRuns } from '../domain/access/viewer.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { cancelRun, pruneRunHistory, queuePosition, retryRun, streamRunEvents, streamRunUpdates, type PruneResult, type RunCounters } from '../domain/runs/index.ts';
import { errorTypes, expectType, nodeIdOf } from './errors.ts';
import type { RunUpdatedMessage } from '../domain/ports/event-bus.ts';
import type { RequestContext } from './context.ts';

export const RunActionEnum = builder.enumType(RunAction, { name: 'RunAction' });

export const RunStatusEnum = builder.enumType(RunStatus, {
  name: 'RunStatus',
  description:
    '(SCHEDULED →) QUEUED → RUNNING → SUCCEEDED | ROLLED_BACK (a rescue ran, no unhandled failure) | FAILED | CANCELED | TIMED_OUT | INTERRUPTED (the process running it died). SCHEDULED waits for its notBefore; one not started by its notAfter ends EXPIRED.',
});

export const RunEventRef = builder.prismaObject('RunEvent', {
  description: 'One Ansible callback event of a run.',
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'Contiguous per run: 1, 2, 3, …' }),
    type: t.exposeString('type', { description: 'e.g. playbook_start, task_start, runner_ok, runner_failed, stats.' }),
    task: t.exposeString('task', { nullable: true }),
    host: t.exposeString('host', { nullable: true }),
    section: t.exposeString('section', { nullable: true, description: 'block, rescue or always.' }),
    changed: t.exposeBoolean('changed', { nullable: true }),
    data: t.field({ type: 'JSON', resolve: (event) => event.data }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const RunCountersRef = builder.objectRef<RunCounters>('RunCounters').implement({
  description: 'Task results so far, summed over hosts.',
  fields: (t) => ({
    ok: t.exposeInt('okCount'),
    changed: t.exposeInt('changedCount'),
    failed: t.exposeInt('failedCount'),
    skipped: t.exposeInt('skippedCount'),
    rescued: t.exposeInt('rescuedCount'),
    unreachable: t.exposeInt('unreachableCount'),
  }),
});

interface RunProgressShape {
  status: RunStatus;
  tasksStarted: number;
  currentTask: string | null;
  currentHost: string | null;
}

const RunProgressRef = builder.objectRef<RunProgressShape>('RunProgress').implement({
  description: 'How far a run is. Ansible reveals a play\'s tasks as it reaches them, so the total is not known ahead.',
  fields: (t) => ({
    tasksStarted: t.exposeInt('tasksStarted', { description: 'Tasks (and handlers) started so far: the tasks known.' }),
    tasksDone: t.int({
      description: 'Tasks finished (ok, changed, failed, skipped or rescued): all started ones but the current.',
      resolve: (progress) => (progress.status === 'RUNNING' && progress.currentTask !== null ? Math.max(0, progress.tasksStarted - 1) : progress.tasksStarted),
    }),
    currentTask: t.exposeString('currentTask', { nullable: true, description: 'The task running now; null when the run is not running.' }),
    currentHost: t.exposeString('currentHost', { nullable: true, description: 'The host the current task last started on.' }),
  }),
});

export const ProvisioningRunRef = builder.prismaNode('ProvisioningRun', {
  id: { field: 'id' },
  // node(id) finds only runs the caller may see (a partner's own).
  findUnique: (id, ctx) => ({ id, AND: [visibleRuns(ctx.viewer)] }),
  nullable: true,
  description: 'One execution of one playbook for one service.',
  fields: (t) => ({
    action: t.expose('action', { type: RunActionEnum }),
    status: t.expose('status', { type: RunStatusEnum }),
    statusReason: t.exposeString('statusReason', { nullable: true }),
    playbook: t.exposeString('playbook'),
    checkMode: t.exposeBoolean('checkMode'),
    exitCode: t.exposeInt('exitCode', { nullable: true }),
    stats: t.field({ type: 'JSON', nullable: true, resolve: (run) => run.stats }),
    counters: t.field({
      type: RunCountersRef,
      select: { okCount: true, changedCount: true, failedCount: true, skippedCount: true, rescuedCount: true, unreachableCount: true },
      resolve: (run) => run,
    }),
    lastSeq: t.exposeInt('lastSeq', { description: 'Sequence number of the last persisted event (0 before the first).' }),
    progress: t.field({
      type: RunProgressRef,
      description: 'Tasks started and done, and the current task and host; follow it live with runUpdated { run { progress } }.',
      select: { status: true, tasksStarted: true, currentTask: true, currentHost: true },
      resolve: (run) => run,
    }),
    log: t.exposeString('log', {
      description: 'ansible-playbook stdout/stderr, size-capped, secrets masked. Not for viewer keys.',
      authScopes: { operator: true, partner: true },
    }),
    service: t.relation('service', { nullable: true, description: 'Null for a check-mode preview of a provision.' }),
    product: t.relation('product'),
    compensatesRun: t.relation('compensatesRun', { nullable: true, description: 'The run this compensating deprovision undoes.' }),
    compensatedBy: t.relation('compensatedBy'),
    retryOf: t.relation('retryOf', { nullable: true }),
    events: t.relatedConnection('events', { cursor: 'runId_seq', totalCount: true, query: { orderBy: { seq: 'asc' } } }),
    queuePosition: t.int({
      nullable: true,
      description: 'Place in the queue while QUEUED (1 = next to start); null otherwise.',
      select: { status: true, queuedAt: true },
      resolve: (run, _args, ctx) => queuePosition(ctx, run),
    }),
    timeoutSeconds: t.exposeInt('timeoutSeconds'),
    targetName: t.exposeString('targetName', { nullable: true, authScopes: { staff: true }, description: 'The target the playbook ran against, as it was named then; null: localhost (or not started yet). Staff only.' }),
    targetVersion: t.exposeInt('targetVersion', { nullable: true, authScopes: { staff: true }, description: 'The version of that target the run used. Staff only.' }),
    cancelRequestedAt: t.expose('cancelRequestedAt', { type: 'DateTime', nullable: true }),
    eventsPrunedAt: t.expose('eventsPrunedAt', { type: 'DateTime', nullable: true, description: 'When retention deleted the events and log (stats and counters are kept).' }),
    queuedAt: t.expose('queuedAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  }),
});

const RunFilter = builder.inputType('RunFilter', {
  fields: (t) => ({
    status: t.field({ type: RunStatusEnum }),
    action: t.field({ type: RunActionEnum }),
    serviceId: t.globalID(),
  }),
});

function runWhere(
  filter: { status?: RunStatus | null; action?: RunAction | null; serviceId?: { typename: string; id: string } | null } | null | undefined,
): Prisma.ProvisioningRunWhereInput {
  return {
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.action ? { action: filter.action } : {}),
    // An id that cannot name a service matches no run.
    ...(filter?.serviceId ? { serviceId: nodeIdOf(filter.serviceId, 'Service') ?? { in: [] } } : {}),
  };
}

builder.queryFields((t) => ({
  runs: t.prismaConnection({
    type: 'ProvisioningRun',
    cursor: 'id',
    description: 'Newest first; a partner sees only the runs of its own services.',
    authScopes: { staff: true, partner: true },
    args: { filter: t.arg({ type: RunFilter }) },
    totalCount: (_parent, args, ctx) => ctx.prisma.provisioningRun.count({ where: { AND: [runWhere(args.filter), visibleRuns(ctx.viewer)] } }),
    resolve: (query, _parent, args, ctx) =>
      ctx.prisma.provisioningRun.findMany({
        ...query,
        where: { AND: [runWhere(args.filter), visibleRuns(ctx.viewer)] },
        orderBy: [{ queuedAt: 'desc' }, { id: 'asc' }],
      }),
  }),
  run: t.prismaField({
    type: 'ProvisioningRun',
    nullable: true,
    description: 'Null when no run has this id, or the caller may not see it.',
    authScopes: { staff: true, partner: true },
    args: { id: t.arg.globalID({ required: true }) },
    resolve: (query, _parent, args, ctx) => {
      const id = nodeIdOf(args.id, 'ProvisioningRun');
      return id ? ctx.prisma.provisioningRun.findFirst({ ...query, where: { id, ...visibleRuns(ctx.viewer) } }) : null;
    },
  }),
}));

const RunUpdateRef = builder.objectRef<RunUpdatedMessage>('RunUpdate').implement({
  description: 'A change of a run\'s status or progress; `run` has the current state.',
  fields: (t) => ({
    status: t.field({ type: RunStatusEnum, resolve: (update) => update.status as RunStatus }),
    lastSeq: t.exposeInt('lastSeq'),
    terminal: t.exposeBoolean('terminal', { description: 'True on the last update: the run has finished.' }),
    run: t.prismaField({
      type: 'ProvisioningRun',
      resolve: (query, update, _args, ctx) => ctx.prisma.provisioningRun.findUniqueOrThrow({ ...query, where: { id: update.runId } }),
    }),
  }),
});

builder.subscriptionFields((t) => ({
  runEvents: t.field({
    type: RunEventRef,
    description:
      'The run\'s events with seq > afterSeq: stored ones first, then live ones, each exactly once and in order; completes after the last event of a finished run.',
    authScopes: { staff: true, partner: true },
    args: { runId: t.arg.globalID({ required: true }), afterSeq: t.arg.int({ defaultValue: 0 }) },
    subscribe: async (_parent, args, ctx) => streamRunEvents(ctx, await visibleRunId(ctx, args.runId), args.afterSeq ?? 0),
    // RunEvent is the stored row's type (the events connection pages rows); a published event
    // differs only in carrying its time as text, as it crosses processes.
    resolve: (event) => ({ ...event, data: event.data as Prisma.JsonValue, createdAt: new Date(event.createdAt) }),
  }),
  runUpdated: t.field({
    type: RunUpdateRef,
    description: 'The run\'s status and counters: its current state first, then each change; completes when it finishes.',
    authScopes: { staff: true, partner: true },
    args: { runId: t.arg.globalID({ required: true }) },
    subscribe: async (_parent, args, ctx) => streamRunUpdates(ctx, await visibleRunId(ctx, args.runId)),
    resolve: (update) => update,
  }),
}));

const PruneResultRef = builder.objectRef<PruneResult>('PruneResult').implement({
  fields: (t) => ({
    runs: t.exposeInt('runs', { description: 'Runs whose events and log were deleted.' }),
    events: t.exposeInt('events'),
    webhookDeliveries: t.exposeInt('webhookDeliveries', { description: 'Delivered and failed webhook deliveries of the same age deleted from the log.' }),
  }),
});

builder.mutationFields((t) => ({
  cancelRun: t.field({
    type: ProvisioningRunRef,
    description:
      'Cancels a run. SCHEDULED or QUEUED: at once. RUNNING: SIGINT to its process group, SIGKILL after a grace period; a cancelled provision is then compensated by the product\'s deprovision playbook (a run of its own, linked by compensatesRun).',
    authScopes: { operator: true, partner: true },
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: errorTypes(NotFoundError, InvalidStateError, ValidationError), dataField: { name: 'run' } },
    resolve: (_parent, { id }, ctx) => cancelRun(ctx, expectType(id, 'ProvisioningRun'), ctx.viewer.partnerId),
  }),
  retryRun: t.field({
    type: ProvisioningRunRef,
    description:
      'Runs a failed step again once its cause is fixed: a provision whose service NEEDS_ATTENTION, or a FAILED, TIMED_OUT, CANCELED or INTERRUPTED deprovision. Returns the new run.',
    authScopes: { operator: true },
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: errorTypes(NotFoundError, InvalidStateError, ValidationError), dataField: { name: 'run' } },
    resolve: (_parent, { id }, ctx) => retryRun(ctx, expectType(id, 'ProvisioningRun')),
  }),
  pruneRunHistory: t.field({
    type: PruneResultRef,
    description: 'Deletes events and logs of runs finished more than `olderThanDays` ago, and webhook deliveries as old that are no longer pending, now (a periodic job does it too); run summaries and stats stay.',
    authScopes: { admin: true },
    args: { olderThanDays: t.arg.float({ required: true }) },
    errors: { types: errorTypes(ValidationError), dataField: { name: 'pruned' } },
    resolve: (_parent, { olderThanDays }, ctx) => pruneRunHistory(ctx, olderThanDays),
  }),
}));

/** The run's database id when the caller may see it; otherwise the run is not found, like a missing one. */
async function visibleRunId(ctx: RequestContext, globalId: { typename: string; id: string }): Promise<string> {
  const id = expectType(globalId, 'ProvisioningRun');
  const visible = await ctx.prisma.provisioningRun.count({ where: { id, ...visibleRuns(ctx.viewer) } });
  if (!visible) throw new NotFoundError('ProvisioningRun', id);
  return id;
}
