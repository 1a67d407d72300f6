import { InvalidStateError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { rescheduleRun } from '../domain/runs/index.ts';
import { builder } from './builder.ts';
import { errorTypes, expectType } from './errors.ts';
import { ProvisioningRunRef } from './runs.ts';

// Scheduled runs: a provision, deprovision or action asked for a later time waits SCHEDULED
// (its inventory reserved at once), starts at its time on any process, and expires unstarted
// past its notAfter.

builder.prismaObjectFields('ProvisioningRun', (t) => ({
  notBefore: t.expose('notBefore', { type: 'DateTime', nullable: true, description: 'A scheduled run waits SCHEDULED until then; null: queued when it was asked for.' }),
  notAfter: t.expose('notAfter', { type: 'DateTime', nullable: true, description: 'A scheduled run not started by then ends EXPIRED, a provision\'s items back in the pool.' }),
}));

builder.mutationFields((t) => ({
  rescheduleRun: t.field({
    type: ProvisioningRunRef,
    description:
      'Moves a SCHEDULED run to another time (and notAfter, which is cleared when not given); a notBefore that is not ahead queues it now. Partners: their own runs.',
    authScopes: { operator: true, partner: true },
    args: {
      id: t.arg.globalID({ required: true }),
      notBefore: t.arg({ type: 'DateTime', required: true }),
      notAfter: t.arg({ type: 'DateTime' }),
    },
    errors: { types: errorTypes(NotFoundError, InvalidStateError, ValidationError), dataField: { name: 'run' } },
    resolve: (_parent, { id, notBefore, notAfter }, ctx) => rescheduleRun(ctx, expectType(id, 'ProvisioningRun'), { notBefore, notAfter }, ctx.viewer.partnerId),
  }),
}));
