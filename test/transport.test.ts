import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/gql.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { authorization, query, sseClient, wsClient } from './support/client.ts';
import { AddInventoryMutation } from './support/documents.ts';

const PoolChanged = graphql(`
  subscription PoolChanged($kind: InventoryKind) {
    inventoryPoolChanged(kind: $kind) { kind available total }
  }
`);

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp();
});
afterAll(async () => {
  await server?.close();
});

/** Collects the first `count` payloads of a subscription, then unsubscribes. */
function collect<T>(subscribe: (sink: { next(value: T): void; error(error: unknown): void; complete(): void }) => () => void, count: number) {
  const values: T[] = [];
  let started!: () => void;
  const done = new Promise<T[]>((resolve, reject) => {
    const unsubscribe = subscribe({
      next(value) {
        values.push(value);
        if (values.length === count) {
          unsubscribe();
          resolve(values);
        }
      },
      error: reject,
      complete: () => resolve(values),
    });
    started = () => {};
  });
  void started;
  return done;
}

async function addPhoneNumbers(prefix: string, count: number) {
  const items = Array.from({ length: count }, (_, i) => ({ kind: 'PHONE_NUMBER' as const, identifier: `${prefix}${i}` }));
  const result = await query(server, AddInventoryMutation, { items });
  expect(result.addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
}

/** Subscriptions are asynchronous to set up: retry the trigger until the first event arrives. */
async function triggerUntil(received: () => number, trigger: () => Promise<void>) {
  for (let attempt = 0; attempt < 50 && received() === 0; attempt++) {
    await trigger();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('subscriptions', () => {
  it('streams pool changes over graphql-ws on /graphql', async () => {
    const client = wsClient(server);
    const events: Array<{ kind: string; available: number }> = [];
    const done = collect<{ data?: { inventoryPoolChanged: { kind: string; available: number } } | null }>(
      (sink) =>
        client.subscribe({ query: print(PoolChanged), variables: { kind: 'PHONE_NUMBER' } }, {
          next: (value) => {
            if (value.data) events.push(value.data.inventoryPoolChanged as { kind: string; available: number });
            sink.next(value as never);
          },
          error: sink.error,
          complete: sink.complete,
        }),
      1,
    );
    let n = 0;
    await triggerUntil(() => events.length, () => addPhoneNumbers(`+4477001${n++}`, 2));
    await done;
    expect(events[0]).toMatchObject({ kind: 'PHONE_NUMBER' });
    expect(events[0]!.available).toBeGreaterThanOrEqual(2);
    await client.dispose();
  });

  it('streams pool changes over SSE, filtered by kind', async () => {
    const client = sseClient(server);
    const events: Array<{ kind: string; available: number }> = [];
    const done = collect<unknown>(
      (sink) =>
        client.subscribe({ query: print(PoolChanged), variables: { kind: 'IP_BLOCK' } }, {
          next: (value) => {
            const data = (value as { data?: { inventoryPoolChanged: { kind: string; available: number } } }).data;
            if (data) events.push(data.inventoryPoolChanged);
            sink.next(value);
          },
          error: sink.error,
          complete: sink.complete,
        }),
      1,
    );
    let n = 0;
    await triggerUntil(() => events.length, async () => {
      await addPhoneNumbers(`+4477002${n}`, 1); // other kind: filtered out
      const result = await query(server, AddInventoryMutation, { items: [{ kind: 'IP_BLOCK', identifier: `198.51.100.${8 * n++}/29` }] });
      expect(result.addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
    });
    await done;
    expect(events.every((event) => event.kind === 'IP_BLOCK')).toBe(true);
    client.dispose();
  });
});

describe('GraphQL over HTTP', () => {
  it('answers GET queries and refuses mutations over GET', async () => {
    // GET needs the CSRF header: a page on another site can make a browser send a simple GET.
    const headers = { accept: 'application/graphql-response+json', 'x-graphql-yoga-csrf': '1', ...authorization(server) };
    const ok = await fetch(`${server.url}?query=${encodeURIComponent('{ inventoryPools { kind } }')}`, { headers });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('application/graphql-response+json');
    const mutation = await fetch(`${server.url}?query=${encodeURIComponent('mutation { archiveProduct(id: "x") { __typename } }')}`, { headers });
    expect(mutation.status).toBe(405);
    const { 'x-graphql-yoga-csrf': _csrf, ...withoutCsrf } = headers;
    const withoutCsrfHeader = await fetch(`${server.url}?query=${encodeURIComponent('{ inventoryPools { kind } }')}`, { headers: withoutCsrf });
    expect(withoutCsrfHeader.status).toBe(403);
  });

  it('serves GraphiQL to browsers', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Provisio');
  });
});
