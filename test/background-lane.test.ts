import { PGlite } from '@electric-sql/pglite';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, describe, expect, it } from 'vitest';
import { runAsBackground } from '../src/domain/background-work.ts';
import { withBackgroundLane } from '../src/infra/db/background-lane.ts';

const pglite = await PGlite.create();
afterAll(() => pglite.close());

const select = (value: number) => ({ sql: `SELECT ${value} AS value`, args: [], argTypes: [] });

/** Nine background queries sent at once, and one query of a request that arrives a moment later (a timer). */
async function completionOrder(factory: SqlDriverAdapterFactory): Promise<string[]> {
  const adapter = await factory.connect();
  const order: string[] = [];
  const background = runAsBackground(() => Promise.all(Array.from({ length: 9 }, (_, i) => adapter.queryRaw(select(i)).then(() => order.push(`background ${i}`)))));
  const later = new Promise((resolve) => setTimeout(resolve, 0)).then(() => adapter.queryRaw(select(100)).then(() => order.push('later request')));
  await Promise.all([background, later]);
  return order;
}

describe('background lane on the embedded database', () => {
  it('lets a request that arrives during background work through after one background query, not after all of them', async () => {
    const order = await completionOrder(withBackgroundLane(new PrismaPGlite(pglite)));
    expect(order.indexOf('later request')).toBeLessThanOrEqual(2);
    // Background queries still run, in order.
    expect(order.filter((entry) => entry.startsWith('background'))).toEqual(Array.from({ length: 9 }, (_, i) => `background ${i}`));
  });

  it('without it, the background queries all run before the request is even looked at', async () => {
    const order = await completionOrder(new PrismaPGlite(pglite));
    expect(order.at(-1)).toBe('later request');
  });

  it('leaves other work as it was: results, errors and transactions', async () => {
    const adapter = await withBackgroundLane(new PrismaPGlite(pglite)).connect();
    expect((await runAsBackground(() => adapter.queryRaw(select(7)))).rows).toEqual([[7]]);
    await expect(runAsBackground(() => adapter.queryRaw({ sql: 'SELECT * FROM missing_table', args: [], argTypes: [] }))).rejects.toThrow('TableDoesNotExist');
    const transaction = await adapter.startTransaction();
    expect((await transaction.queryRaw(select(8))).rows).toEqual([[8]]);
    await transaction.commit();
    expect((await adapter.queryRaw(select(9))).rows).toEqual([[9]]);
  });
});
