import { runServiceAction } from '../domain/services/index.ts';
import { ConflictError, InsufficientInventoryError, InvalidStateError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { productActions, type ProductAction } from '../domain/catalog/index.ts';
import { builder } from './builder.ts';
import { errorTypes, expectType } from './errors.ts';
import { RunStartedRef, ServiceStatusEnum } from './services.ts';

const ServiceActionRef = builder.objectRef<ProductAction>('ServiceAction').implement({
  description: 'Something that can be done to a provisioned service of the product (suspend, top-up, change plan, …): a playbook run like a provision.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    playbook: t.exposeString('playbook', { description: 'File under the playbooks directory. Staff only.', authScopes: { staff: true } }),
    variableSchema: t.field({ type: 'JSONObject', description: 'What runServiceAction\'s variables are validated against.', resolve: (action) => action.variableSchema as unknown as Record<string, unknown> }),
    from: t.field({ type: [ServiceStatusEnum], description: 'Service states it may start from.', resolve: (action) => action.from }),
    to: t.field({ type: ServiceStatusEnum, nullable: true, description: 'The service\'s state once it succeeded; null: unchanged.', resolve: (action) => action.to }),
    partners: t.exposeBoolean('partners', { description: 'Whether partners may run it on their own services.' }),
    inventory: t.field({
      type: 'JSONObject',
      nullable: true,
      description: 'Inventory it takes or gives back: { reserve: [{ kind, count, match }], release: [{ kind, variable, addedOnly }] } (a release names the item by the identifier in that action variable); null: none.',
      resolve: (action) => (action.inventory.reserve.length || action.inventory.release.length ? (action.inventory as unknown as Record<string, unknown>) : null),
    }),
  }),
});

builder.prismaObjectField('Product', 'actions', (t) =>
  t.field({
    type: [ServiceActionRef],
    description: 'What can be done to its services; a partner sees the actions open to partners.',
    select: { actions: true },
    resolve: (product, _args, ctx) => productActions(product.actions).filter((action) => ctx.viewer.role !== 'PARTNER' || action.partners),
  }),
);

builder.prismaObjectField('ProvisioningRun', 'actionName', (t) => t.exposeString('actionName', { nullable: true, description: 'For an ACTION run: which of the product\'s actions.' }));

const RunServiceActionInput = builder.inputType('RunServiceActionInput', {
  fields: (t) => ({
    serviceId: t.globalID({ required: true }),
    action: t.string({ required: true, description: 'One of the product\'s actions.' }),
    variables: t.field({ type: 'JSONObject', description: 'Validated against the action\'s variableSchema.' }),
    idempotencyKey: t.string({ description: 'Retrying with the same key returns the same run instead of running the action twice.' }),
    notBefore: t.field({ type: 'DateTime', description: 'Not before then: the run waits SCHEDULED (inventory reserved at once). Null or past: queued now.' }),
    notAfter: t.field({ type: 'DateTime', description: 'With notBefore: a scheduled run not started by then ends EXPIRED, its items back in the pool.' }),
  }),
});

builder.mutationFields((t) => ({
  runServiceAction: t.field({
    type: RunStartedRef,
    description: 'Queues one of the product\'s actions on a service; returns at once. One run per service at a time; inventory the action needs is reserved at once (InsufficientInventoryError when the pool is short). Partners: their own services, actions open to partners.',
    authScopes: { operator: true, partner: true },
    args: { input: t.arg({ type: RunServiceActionInput, required: true }) },
    errors: { types: errorTypes(ValidationError, NotFoundError, InvalidStateError, InsufficientInventoryError, ConflictError), dataField: { name: 'started' } },
    resolve: (_parent, { input }, ctx) =>
      runServiceAction(ctx, { ...input, serviceId: expectType(input.serviceId, 'Service'), partnerId: ctx.viewer.partnerId }),
  }),
}));
