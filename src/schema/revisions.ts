import { RevisionChoice } from '#generated/prisma/enums.ts';
import { maskSecretDefaults, maskSecretVariables, productDefinition, type VariableSchema } from '../domain/catalog/index.ts';
import { builder } from './builder.ts';

// Product revisions: what a product's services were provisioned with, change by change, and
// which revision each service has (its upgrade is a re-deploy to the current one).

export const RevisionChoiceEnum = builder.enumType(RevisionChoice, {
  name: 'RevisionChoice',
  description: 'Which product revision a sync check compares the network with, or a re-deploy applies: OWN (the service\'s: a drift check, a repair) or CURRENT (the product\'s latest: an upgrade\'s preview, an upgrade).',
});

/** How many revisions a product lists at most, newest first. */
const MAX_REVISIONS_LISTED = 100;

builder.prismaObject('ProductRevision', {
  description: 'A product\'s playbooks and variables as they were from one change on. Staff only.',
  fields: (t) => ({
    revision: t.exposeInt('revision'),
    provisionPlaybook: t.exposeString('provisionPlaybook'),
    deprovisionPlaybook: t.exposeString('deprovisionPlaybook'),
    defaultVariables: t.field({
      type: 'JSONObject',
      description: 'Secret ones read as "********".',
      resolve: (revision) => {
        const { variableSchema, defaultVariables } = productDefinition(revision as unknown as Parameters<typeof productDefinition>[0]);
        return maskSecretVariables(variableSchema, defaultVariables);
      },
    }),
    variableSchema: t.field({ type: 'JSONObject', resolve: (revision) => maskSecretDefaults(revision.variableSchema as unknown as VariableSchema) as unknown as Record<string, unknown> }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectFields('Product', (t) => ({
  revision: t.exposeInt('revision', { description: 'The current revision: a change of the playbooks or variables makes the next one. Services keep theirs until re-deployed to this one.' }),
  revisions: t.relation('revisions', {
    authScopes: { staff: true },
    description: `Newest first, at most ${MAX_REVISIONS_LISTED}. Staff only.`,
    query: { orderBy: { revision: 'desc' }, take: MAX_REVISIONS_LISTED },
  }),
}));

builder.prismaObjectFields('Service', (t) => ({
  productRevision: t.exposeInt('productRevision', { description: 'The product revision it was provisioned or last re-deployed with.' }),
  upgradeAvailable: t.boolean({
    description: 'Its product has a newer revision: redeployService(revision: CURRENT) upgrades it; checkServiceSync(revision: CURRENT) previews what that would change.',
    select: { productRevision: true, product: { select: { revision: true } } },
    resolve: (service) => service.productRevision < service.product.revision,
  }),
}));

builder.prismaObjectFields('ProvisioningRun', (t) => ({
  productRevision: t.exposeInt('productRevision', { nullable: true, description: 'Provisions, checks and re-deploys: the product revision whose playbook and variables it ran.' }),
}));
