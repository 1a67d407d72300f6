import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { rawQuery } from './support/client.ts';
import { provision, waitForRun } from './support/runs.ts';
import { eventually } from './support/wait.ts';

// Scheduled sync audits on one process (timers; the cluster's pg-boss schedules are in
// cluster-processes.test.ts): a product's schedule starts a bulk check of its ACTIVE services at
// each occurrence, a cleared one stops, and a schedule the server would not keep is refused.

let server: TestApp;
let productId: string;
beforeAll(async () => {
  // Audits 2 s apart are allowed here only; the default minimum is 5 minutes.
  server = await startTestApp({ minAuditIntervalSeconds: 2 }, { demo: true });
  productId = (await rawQuery(server, '{ product(slug: "voip-line") { id } }')).product.id;
});
afterAll(async () => {
  await server?.close();
});

const UPDATE = `mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { __typename ... on ValidationError { issues { path message } } ... on UpdateProductSuccess { product { syncCheckSchedule { cron timeZone nextAt } } } } }`;

async function audits(): Promise<Array<{ createdAt: string; kind: string; skipped: number; selection: { productSlug: string }; progress: { total: number; done: number } }>> {
  return (await rawQuery(server, '{ bulkOperations(first: 100) { nodes { createdAt kind skipped selection progress { total done } } } }')).bulkOperations.nodes;
}

describe('scheduled sync audits', () => {
  it('checks a product\'s ACTIVE services at each occurrence, and stops when the schedule is cleared', async () => {
    const started = await provision(server, { productSlug: 'voip-line', customerRef: 'audited', variables: { caller_id_name: 'Audit', sip_password: 'audit-sip-password-1' } });
    expect((await waitForRun(server, started.runId)).status).toBe('SUCCEEDED');

    const set = (await rawQuery(server, UPDATE, { id: productId, input: { syncCheckSchedule: { cron: '*/2 * * * * *', timeZone: 'Europe/Berlin' } } })).updateProduct;
    expect(set.product.syncCheckSchedule).toEqual({ cron: '*/2 * * * * *', timeZone: 'Europe/Berlin', nextAt: expect.any(String) });
    const two = await eventually(audits, (found) => found.length >= 2 && found.every((audit) => audit.progress.done === audit.progress.total), 'two audits, finished', 60_000);
    for (const audit of two) {
      expect(audit).toMatchObject({ kind: 'CHECK_SYNC', selection: { productSlug: 'voip-line' } });
      // The one service, checked, or skipped while the audit before still checked it (a busy host).
      expect(audit.progress.total + audit.skipped).toBe(1);
    }
    expect(two.some((audit) => audit.progress.total === 1)).toBe(true);
    const service = (await rawQuery(server, 'query ($id: ID!) { service(id: $id) { syncState syncCheckedAt } }', { id: started.serviceId })).service;
    expect(service).toEqual({ syncState: 'IN_SYNC', syncCheckedAt: expect.any(String) });

    const cleared = (await rawQuery(server, UPDATE, { id: productId, input: { syncCheckSchedule: null } })).updateProduct;
    expect(cleared.product.syncCheckSchedule).toBeNull();
    // What was started before the clear may still land; nothing after it.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const settled = (await audits()).length;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect((await audits()).length).toBe(settled);
  });

  it('refuses a schedule it could not keep: too frequent, not a cron expression, an unknown time zone', async () => {
    const refused = async (syncCheckSchedule: Record<string, unknown>) => (await rawQuery(server, UPDATE, { id: productId, input: { syncCheckSchedule } })).updateProduct;
    expect(await refused({ cron: '* * * * * *' })).toEqual({ __typename: 'ValidationError', issues: [{ path: 'syncCheckSchedule.cron', message: expect.stringMatching(/1 s apart; at least 2 s/) }] });
    expect(await refused({ cron: 'every day' })).toEqual({ __typename: 'ValidationError', issues: [{ path: 'syncCheckSchedule.cron', message: expect.stringMatching(/not a cron expression/) }] });
    expect(await refused({ cron: '0 3 * * *', timeZone: 'Mars/Olympus' })).toEqual({ __typename: 'ValidationError', issues: [{ path: 'syncCheckSchedule.timeZone', message: expect.stringMatching(/not an IANA time zone/) }] });
    expect((await rawQuery(server, '{ product(slug: "voip-line") { syncCheckSchedule { cron } } }')).product.syncCheckSchedule).toBeNull();
  });
});
