import { listPlaybooks, type PlaybookFile } from '../domain/catalog/index.ts';
import { builder } from './builder.ts';

const PlaybookRef = builder.objectRef<PlaybookFile>('Playbook').implement({
  description: 'A playbook file a product can name.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Path relative to the playbooks directory: the value products use.' }),
    sizeBytes: t.exposeInt('sizeBytes'),
    modifiedAt: t.expose('modifiedAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  playbooks: t.field({
    type: [PlaybookRef],
    description: 'Playbook files available under the playbooks directory, for product forms. Staff only.',
    authScopes: { staff: true },
    resolve: (_parent, _args, ctx) => listPlaybooks(ctx.playbooksDir),
  }),
}));
