import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { luhnValid } from '../src/domain/inventory/kinds.ts';
import { MASK } from '../src/runner/index.ts';
import { repoRoot, startTestApp, type TestApp } from './support/app.ts';
import { query, wsClient } from './support/client.ts';
import { AddInventoryMutation, CreateProductMutation } from './support/documents.ts';
import { allEvents, provision, streamEvents, waitForRun } from './support/runs.ts';

// A playbook that prints a SIM's Ki and OPc base64- or hex-encoded after changing their case: none
// of it may reach the run's events (stored or streamed), runUpdated or the run's log.

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({ playbooksDir: path.join(repoRoot, 'test/fixtures/playbooks') });
});
afterAll(async () => {
  await server?.close();
});

function iccid(seed: number): string {
  const body = `894420${String(seed).padStart(12, '0')}`;
  for (let check = 0; check < 10; check++) if (luhnValid(`${body}${check}`)) return `${body}${check}`;
  throw new Error('no check digit');
}

/** Every encoding a leak could take: base64 (padded or not) and hex of each case form of each secret. */
function encodings(secrets: string[]): { base64: string[]; hex: string[] } {
  const forms = [...new Set(secrets.flatMap((secret) => [secret, secret.toUpperCase(), secret.toLowerCase()]))];
  const base64 = forms.flatMap((form) => {
    const padded = Buffer.from(form).toString('base64');
    return [padded, padded.replace(/=+$/, '')];
  });
  return { base64, hex: forms.map((form) => Buffer.from(form).toString('hex')) };
}

/** The status and log of every runUpdated message until the run ends. */
function runUpdates(runId: string): Promise<unknown[]> {
  const client = wsClient(server, { lazyCloseTimeout: 0 });
  const updates: unknown[] = [];
  return new Promise((resolve, reject) => {
    client.subscribe(
      { query: 'subscription ($runId: ID!) { runUpdated(runId: $runId) { status terminal run { statusReason log } } }', variables: { runId } },
      {
        next: (message) => updates.push(message),
        error: reject,
        complete: () => {
          void client.dispose();
          resolve(updates);
        },
      },
    );
  });
}

it('masks base64 and hex of every case form of a SIM\'s secrets in events, runUpdated and the log', async () => {
  // As an operator may enter them: the Ki in lower case, the OPc in mixed case (both stored upper-case).
  const ki = randomBytes(16).toString('hex');
  const opc = [...randomBytes(16).toString('hex').replace(/^[0-9]/, 'a')].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
  const created = await query(server, CreateProductMutation, {
    input: {
      slug: 'sim-encodings',
      name: 'SIM encodings',
      provisionPlaybook: 'secret-encodings/provision.yml',
      deprovisionPlaybook: 'secret-encodings/deprovision.yml',
      inventoryRequirements: [{ kind: 'SIM', count: 1 }],
    },
  });
  expect(created.createProduct.__typename).toBe('CreateProductSuccess');
  const added = await query(server, AddInventoryMutation, {
    items: [{ kind: 'SIM', identifier: iccid(randomBytes(4).readUInt32BE(0)), attributes: { imsi: '262019999000881', ki, opc } }],
  });
  expect(added.addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');

  const { runId } = await provision(server, { productSlug: 'sim-encodings', customerRef: 'encodings-1' });
  const [updates, streamed] = await Promise.all([runUpdates(runId), streamEvents(server, 'ws', runId)]);
  const run = await waitForRun(server, runId);
  expect(run.status, run.statusReason ?? '').toBe('SUCCEEDED');
  const stored = await allEvents(server, runId);

  // The playbook printed all nine lines (one task, then a loop of eight), and each was masked whole.
  const printed = stored
    .filter((event) => (event.type === 'runner_ok' && event.task === 'Print the Ki lower-cased in base64') || event.type === 'runner_item_ok')
    .map((event) => (event.data as { result?: { msg?: string } }).result?.msg);
  expect(printed).toEqual(Array.from({ length: 9 }, () => MASK));

  const { base64, hex } = encodings([ki, opc]);
  for (const [where, value] of Object.entries({ log: run.log, stored, streamed, updates })) {
    const text = JSON.stringify(value);
    for (const encoded of base64) expect(text, `${where} holds ${encoded}`).not.toContain(encoded);
    for (const encoded of hex) expect(text.toLowerCase(), `${where} holds ${encoded}`).not.toContain(encoded);
    for (const secret of [ki, opc]) expect(text.toLowerCase(), `${where} holds a secret`).not.toContain(secret.toLowerCase());
  }
  expect(run.log).toContain(MASK);
  expect(JSON.stringify(updates)).toContain(MASK);
});
