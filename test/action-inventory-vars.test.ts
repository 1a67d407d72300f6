import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { luhnValid } from '../src/domain/inventory/kinds.ts';
import { repoRoot, startTestApp, type TestApp } from './support/app.ts';
import { rawQuery } from './support/client.ts';
import { allEvents, provision, waitForRun } from './support/runs.ts';

// What an action's playbook gets of the items it reserves and releases (action_inventory), and
// that their secret attributes are masked like the service's own.

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({ playbooksDir: path.join(repoRoot, 'test/fixtures/playbooks') });
});
afterAll(async () => {
  await server?.close();
});

const gql = (query: string, variables: Record<string, unknown> = {}) => rawQuery(server, query, variables);

function iccid(seed: number): string {
  const body = `8949${String(seed).padStart(15, '0')}`;
  for (let check = 0; check <= 9; check++) if (luhnValid(body + check)) return body + check;
  throw new Error('unreachable');
}

async function act(serviceId: string, action: string, variables: Record<string, unknown> = {}) {
  const result = (await gql(`mutation ($input: RunServiceActionInput!) { runServiceAction(input: $input) { __typename ... on RunServiceActionSuccess { started { run { id } } } ... on Error { message } } }`, { input: { serviceId, action, variables } })).runServiceAction;
  expect(result.__typename, JSON.stringify(result)).toBe('RunServiceActionSuccess');
  const runId = result.started.run.id as string;
  const run = await waitForRun(server, runId);
  const seen = JSON.parse(fs.readFileSync(path.join(server.config.labDir, 'action-items', `${action}.json`), 'utf8')) as Record<string, string[]>;
  return { run, runId, seen };
}

it('hands the playbook the reserved and released items apart from the service\'s own, with secret attributes masked', async () => {
  const ki = randomBytes(16).toString('hex').toUpperCase();
  const sim = iccid(randomBytes(4).readUInt32BE(0));
  const created = (await gql(`mutation ($input: CreateProductInput!) { createProduct(input: $input) { __typename ... on ValidationError { issues { path message } } } }`, {
    input: {
      slug: 'sim-add-on',
      name: 'SIM add-on',
      provisionPlaybook: 'action-items/provision.yml',
      deprovisionPlaybook: 'action-items/deprovision.yml',
      actions: [
        { name: 'add-sim', playbook: 'action-items/actions.yml', inventory: { reserve: [{ kind: 'SIM' }] } },
        { name: 'drop-sim', playbook: 'action-items/actions.yml', variableSchema: { type: 'object', properties: { iccid: { type: 'string' } } }, inventory: { release: [{ kind: 'SIM', variable: 'iccid' }] } },
      ],
    },
  })).createProduct;
  expect(created.__typename, JSON.stringify(created)).toBe('CreateProductSuccess');
  const added = (await gql(`mutation ($items: [NewInventoryItemInput!]!) { addInventoryItems(items: $items) { __typename } }`, { items: [{ kind: 'SIM', identifier: sim, attributes: { imsi: '262019999000771', ki, opc: ki } }] })).addInventoryItems;
  expect(added.__typename).toBe('AddInventoryItemsSuccess');
  const started = await provision(server, { productSlug: 'sim-add-on', customerRef: 'sim-add-on-1' });
  expect((await waitForRun(server, started.runId)).status).toBe('SUCCEEDED');

  const adding = await act(started.serviceId!, 'add-sim');
  expect(adding.run.status).toBe('SUCCEEDED');
  // Reserved items are the action's alone while it runs; the service's inventory is what it held before.
  expect(adding.seen).toEqual({ reserved: [sim], reserved_ki_sha256: [createHash('sha256').update(ki).digest('hex')], released: [], inventory_sims: [] });
  expect(adding.run.log).not.toContain(ki);
  expect(JSON.stringify(await allEvents(server, adding.runId))).not.toContain(ki);

  const dropping = await act(started.serviceId!, 'drop-sim', { iccid: sim });
  expect(dropping.run.status).toBe('SUCCEEDED');
  // A kind the product does not need is a list in `inventory`; the released item is still there while the run runs.
  expect(dropping.seen).toMatchObject({ reserved: [], released: [sim], inventory_sims: [sim] });
  const { inventoryItems } = await gql(`query ($s: String) { inventoryItems(filter: { search: $s }) { nodes { status service { id } } } }`, { s: sim });
  expect(inventoryItems.nodes).toEqual([{ status: 'AVAILABLE', service: null }]);
});
