import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/gql.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { query, wsClient } from './support/client.ts';
import { postgresServerUrl } from './support/database.ts';
import { AddInventoryMutation } from './support/documents.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Two API instances on one PostgreSQL database, sharing events through Redis.
describe.skipIf(!postgresServerUrl)('cluster profile: PostgreSQL + Redis', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    first = await startTestApp({ redisUrl });
    second = await startTestApp({ redisUrl, databaseUrl: first.config.databaseUrl });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('delivers a change made through one instance to a subscriber of the other', async () => {
    const kind = 'IP_BLOCK';
    const client = wsClient({ url: second.url, key: first.key });
    const received = new Promise<{ kind: string; available: number }>((resolve, reject) => {
      const unsubscribe = client.subscribe(
        { query: print(graphql(`subscription ClusterPool($kind: InventoryKind) { inventoryPoolChanged(kind: $kind) { kind available } }`)), variables: { kind } },
        {
          next: (message) => {
            unsubscribe();
            resolve((message.data as { inventoryPoolChanged: { kind: string; available: number } }).inventoryPoolChanged);
          },
          error: reject,
          complete: () => {},
        },
      );
    });
    // Subscribing (WebSocket, then Redis SUBSCRIBE) is asynchronous: keep changing the pool until the event arrives.
    let arrived = false;
    void received.then(() => (arrived = true));
    for (let i = 0; i < 50 && !arrived; i++) {
      const result = await query(first, AddInventoryMutation, { items: [{ kind, identifier: `203.0.113.${i * 4}/30` }] });
      expect(result.addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await received).toMatchObject({ kind: 'IP_BLOCK' });
    expect((await received).available).toBeGreaterThan(0);
    await client.dispose();
  });
});
