import { InvalidStateError, NotFoundError, ValidationError, ConflictError } from '../domain/errors.ts';
import { diffShowsChange } from '../domain/runs/index.ts';
import { checkServiceSync, redeployService } from '../domain/services/index.ts';
import { builder } from './builder.ts';
import { errorTypes, expectType } from './errors.ts';
import { RunEventRef } from './runs.ts';
import { RevisionChoiceEnum } from './revisions.ts';
import { RunStartedRef, SyncStateEnum } from './services.ts';

// Day-2 operations: a service checked against the network (a sync check) and re-deployed.

/** A check's diffs shown at most: a drift that large is read from the run's events, page by page. */
const MAX_SYNC_DIFFS = 500;
/** Diff events read to find them (Ansible reports unchanged tasks' diffs too). */
const MAX_DIFF_EVENTS_READ = 5_000;

builder.prismaObjectFields('Service', (t) => ({
  syncState: t.expose('syncState', { type: SyncStateEnum }),
  syncCheckedAt: t.expose('syncCheckedAt', { type: 'DateTime', nullable: true, description: 'When the last sync check that decided syncState ended; null: never.' }),
  lastSyncCheck: t.relation('syncRun', { nullable: true, description: 'The CHECK_SYNC run that decided syncState: its events hold every task result.' }),
  syncDiffs: t.prismaField({
    type: [RunEventRef],
    description: `What the last sync check found would change: its diff events (per task and host, secrets masked), in order; at most ${MAX_SYNC_DIFFS}. Empty when IN_SYNC.`,
    resolve: async (query, service, _args, ctx) => {
      if (!service.syncRunId) return [];
      const diffs = await ctx.prisma.runEvent.findMany({ ...query, where: { runId: service.syncRunId, type: 'diff' }, orderBy: { seq: 'asc' }, take: MAX_DIFF_EVENTS_READ });
      return diffs.filter((event) => diffShowsChange(event.data)).slice(0, MAX_SYNC_DIFFS);
    },
  }),
}));

builder.mutationFields((t) => ({
  checkServiceSync: t.field({
    type: RunStartedRef,
    description:
      'Queues a sync check of an ACTIVE service: its provision playbook in check and diff mode with the variables, inventory and target it recorded. Changes nothing, holds no inventory; refused while another run is active on the service. Its end sets syncState (and a SERVICE_DRIFTED webhook when newly drifted). Partners: their own services.',
    authScopes: { operator: true, partner: true },
    args: { id: t.arg.globalID({ required: true }), revision: t.arg({ type: RevisionChoiceEnum, defaultValue: 'OWN', required: true, description: 'Against CURRENT, the check previews an upgrade: its diffs say what a re-deploy to the current revision would change, and syncState stays as it was.' }) },
    errors: { types: errorTypes(NotFoundError, InvalidStateError), dataField: { name: 'started' } },
    resolve: (_parent, { id, revision }, ctx) => checkServiceSync(ctx, { serviceId: expectType(id, 'Service'), partnerId: ctx.viewer.partnerId, revision }),
  }),
  redeployService: t.field({
    type: RunStartedRef,
    description:
      'Queues a re-deploy: the provision playbook again, for real, with the service\'s recorded inputs, so the network matches the record. One run per service; a rescued failure leaves the service as it was, an unrescued one NEEDS_ATTENTION (re-deploy again to retry). A check follows a re-deploy that leaves the service ACTIVE. Operators only.',
    authScopes: { operator: true },
    args: {
      id: t.arg.globalID({ required: true }),
      idempotencyKey: t.arg.string({ description: 'Retrying with the same key returns the same run.' }),
      revision: t.arg({ type: RevisionChoiceEnum, defaultValue: 'OWN', required: true, description: 'CURRENT upgrades the service: the current revision\'s playbook and variables, and the service\'s productRevision moves once the re-deploy succeeds.' }),
    },
    errors: { types: errorTypes(NotFoundError, InvalidStateError, ValidationError, ConflictError), dataField: { name: 'started' } },
    resolve: (_parent, { id, idempotencyKey, revision }, ctx) => redeployService(ctx, { serviceId: expectType(id, 'Service'), idempotencyKey, partnerId: ctx.viewer.partnerId, revision }),
  }),
}));
