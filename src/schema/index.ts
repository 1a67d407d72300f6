import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './errors.ts';
import './products.ts';
import './inventory.ts';
import './services.ts';
import './runs.ts';
import './schedule.ts';
import './playbooks.ts';
import './access.ts';
import './targets.ts';
import './credentials.ts';
import './actions.ts';
import './revisions.ts';
import './sync.ts';
import './bulk.ts';
import './webhooks.ts';

/** The whole API, one file per domain; printed to schema.graphql for partners. */
export const schema = lexicographicSortSchema(builder.toSchema());
