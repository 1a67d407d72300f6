import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { authorization, post, sseClient, wsClient } from './support/client.ts';
import { eventually } from './support/wait.ts';

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({}, { demo: true });
});
afterAll(async () => {
  await server?.close();
});

type Answer = { status: number; body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } };

async function ask(body: Record<string, unknown>): Promise<Answer> {
  const response = await post(server, body);
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** The shape of the report: runs and their services nested in each other, ~800 bytes. */
function deepSelection(pairs: number): string {
  let selection = 'id';
  for (let pair = 0; pair < pairs; pair++) selection = `service { runs { nodes { ${selection} } } }`;
  return selection;
}
/** runs, nodes, then 17 pairs of three levels, then id: 54 levels. */
const deepQuery = (pairs: number) => `{ runs { nodes { ${deepSelection(pairs)} } } }`;

/** Over graphql-ws: the first message of a one-shot operation, or its error. */
function overWebSocket(query: string, variables: Record<string, unknown> = {}) {
  return new Promise<{ errors?: ReadonlyArray<{ message: string; extensions?: { code?: string } }>; data?: unknown }>((resolve) => {
    const client = wsClient(server, { retryAttempts: 0, lazyCloseTimeout: 0 });
    client.subscribe({ query, variables }, {
      next: (message) => resolve(message as never),
      error: (error) => resolve({ errors: Array.isArray(error) ? error : [{ message: String((error as { reason?: string }).reason ?? error) }] }),
      complete: () => void client.dispose(),
    });
  });
}

/** Over graphql-sse (distinct connections, as GraphiQL's): the first message, or its error. */
function overSse(query: string) {
  return new Promise<{ errors?: ReadonlyArray<{ message: string; extensions?: { code?: string } }>; data?: unknown }>((resolve) => {
    const client = sseClient(server, { retryAttempts: 0 });
    client.subscribe({ query }, {
      next: (message) => resolve(message as never),
      error: (error) => resolve({ errors: Array.isArray(error) ? error : [{ message: String(error) }] }),
      complete: () => client.dispose(),
    });
  });
}

/** The heap in use after a full collection, in MiB. */
function liveHeapMiB(): number {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

describe('operation limits', () => {
  it('refuses the 54-level query with a clear error before running anything', async () => {
    const query = deepQuery(17);
    const answer = await ask({ query });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ message: 'Query depth limit of 12 exceeded, found 54.', extensions: { code: 'DEPTH_LIMIT_EXCEEDED' } })]);
    // Sent again (its refusal is kept with the parsed document): the same answer.
    expect(await ask({ query })).toEqual(answer);
    // Depth 12 itself is allowed.
    const twelve = await ask({ query: `{ runs(first: 2) { nodes { service { runs(first: 2) { nodes { service { runs(first: 2) { nodes { service { runs(first: 2) { nodes { id } } } } } } } } } } } }` });
    expect(twelve.body.errors).toBeUndefined();
  });

  it('refuses 10,000 aliases (too long), 2,000 (too many tokens) and 21 (too many aliases)', async () => {
    const aliases = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: products { totalCount }`).join(' ')} }`;
    const many = await ask({ query: aliases(10_000) });
    expect(many.status).toBe(400);
    expect(many.body.errors?.[0]?.extensions?.code).toBe('DOCUMENT_TOO_LARGE');
    const tokens = await ask({ query: aliases(2_000) });
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors?.[0]?.message).toBe('Syntax Error: Token limit of 5000 exceeded.');
    const some = await ask({ query: `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: products { totalCount }`).join(' ')} }` });
    expect(some.status).toBe(400);
    expect(some.body.errors?.[0]).toMatchObject({ message: 'Aliases limit of 20 exceeded, found 21.', extensions: { code: 'ALIAS_LIMIT_EXCEEDED' } });
    expect((await ask({ query: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: products { totalCount }`).join(' ')} }` })).status).toBe(200);
  });

  it('stops validating a document at the limit it breaks: the other rules do not walk it', async () => {
    // 21 unknown fields: the alias limit's error alone, not one more error per field.
    const answer = await ask({ query: `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: nope`).join(' ')} }` });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ message: 'Aliases limit of 20 exceeded, found 21.', extensions: { code: 'ALIAS_LIMIT_EXCEEDED' } })]);
  });

  it('refuses a document over 64 Ki characters before parsing it, over HTTP, SSE and WebSocket', async () => {
    // One long comment: no tokens, so the token limit lets it through to the parser.
    const padded = (length: number) => {
      const query = '{ products { totalCount } }\n#';
      return query + 'x'.repeat(length - query.length);
    };
    const over = padded(64 * 1024 + 1);
    const expected = { message: `Document of ${64 * 1024 + 1} characters is over the limit of ${64 * 1024}; pass large values as variables.`, extensions: expect.objectContaining({ code: 'DOCUMENT_TOO_LARGE' }) };
    const answer = await ask({ query: over });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining(expected)]);
    expect((await overSse(over)).errors).toEqual([expect.objectContaining(expected)]);
    expect((await overWebSocket(over)).errors).toEqual([expect.objectContaining(expected)]);
    const atTheLimit = await ask({ query: padded(64 * 1024) });
    expect(atTheLimit.status).toBe(200);
    expect(atTheLimit.body.errors).toBeUndefined();
  });

  it('keeps a bounded amount of distinct documents refused after parsing', async () => {
    // ~830 aliases: under the token limit, so each is parsed (~1.4 MB with its tokens and
    // locations) and cached, then refused by the alias limit. Yoga's default cache kept up to
    // 1,024 of them for an hour.
    const nearLimit = (n: number) => `{ ${Array.from({ length: 830 }, (_, i) => `a${i}_${n}: products { totalCount }`).join(' ')} }`;
    const before = liveHeapMiB();
    for (let n = 0; n < 120; n++) {
      const answer = await ask({ query: nearLimit(n) });
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('ALIAS_LIMIT_EXCEEDED');
    }
    expect(liveHeapMiB() - before).toBeLessThan(80);
  });

  it('refuses too many directives', async () => {
    const answer = await ask({ query: `{ products { totalCount ${'@include(if: true) '.repeat(21)} } }` });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('DIRECTIVE_LIMIT_EXCEEDED');
  });

  it('refuses an operation whose pages multiply past the cost limit, lets a console-sized page through', async () => {
    const huge = await ask({ query: `{ products(first: 100) { nodes { services(first: 100) { nodes { runs(first: 100) { nodes { id } } } } } } }` });
    expect(huge.body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/complexity of \d+ exceeds max complexity of 10000/), extensions: { code: 'COST_LIMIT_EXCEEDED', maxCost: 10_000 } })]);
    expect(huge.body.data ?? null).toBeNull();
    // Variables count too: the same query with its page size in a variable.
    const viaVariable = await ask({ query: `query($n: Int) { products(first: $n) { nodes { services(first: $n) { nodes { runs(first: $n) { nodes { id } } } } } } }`, variables: { n: 100 } });
    expect(viaVariable.body.errors?.[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED');
    const page = await ask({
      query: `{ runs(first: 50) { totalCount nodes { id status action queuePosition statusReason counters { ok changed failed skipped rescued unreachable } product { slug name } service { id customerRef status } } } }`,
    });
    expect(page.body.errors).toBeUndefined();
    const introspection = await ask({ query: getIntrospectionQuery() });
    expect(introspection.body.errors).toBeUndefined();
  });

  it('the same limits hold over WebSocket', async () => {
    const deep = await overWebSocket(`subscription { runUpdated(runId: "UHJvdmlzaW9uaW5nUnVuOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA==") { run { ${deepSelection(6)} } } }`);
    expect(deep.errors?.[0]?.extensions?.code).toBe('DEPTH_LIMIT_EXCEEDED');
    const costly = await overWebSocket(
      `subscription { runUpdated(runId: "UHJvdmlzaW9uaW5nUnVuOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA==") { run { product { services(first: 100) { nodes { runs(first: 100) { nodes { events(first: 100) { nodes { data } } } } } } } } } }`,
    );
    expect(costly.errors?.[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED');
    const tokens = await overWebSocket(`{ ${'products { totalCount } '.repeat(2000)} }`);
    expect(tokens.errors?.[0]?.message).toBe('Syntax Error: Token limit of 5000 exceeded.');
  });
});

describe('input limits', () => {
  it('answers 10,000-deep variables with a typed validation error, not a stack overflow', async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const query = 'mutation($v: JSONObject) { provisionService(input: { productSlug: "voip-line", customerRef: "deep", variables: $v }) { __typename } }';
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...authorization(server) },
      body: `{"query":${JSON.stringify(query)},"variables":{"v":${deep}}}`,
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Answer['body'];
    expect(body.errors?.[0]?.message).toContain('JSON nested deeper than 32 levels is not accepted');
    // The same nesting written into the document itself.
    const literal = await ask({ query: `mutation { provisionService(input: { productSlug: "voip-line", customerRef: "deep", variables: ${'{a:'.repeat(40)}1${'}'.repeat(40)} }) { __typename } }` });
    expect(literal.body.errors?.[0]?.message).toContain('JSON nested deeper than 32 levels is not accepted');
  });

  it('answers garbled global ids with a typed error', async () => {
    const lookup = await ask({ query: `{ run(id: "%%%") { id } }` });
    expect(lookup.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'ValidationError' }, message: expect.stringContaining('"%%%" is not an id this API issued') })]);
    const mutation = await ask({ query: `mutation { cancelRun(id: "bm9wZQ") { __typename ... on Error { message } } }` });
    expect(mutation.body.errors?.[0]?.extensions?.code ?? (mutation.body.data as { cancelRun: { __typename: string } }).cancelRun.__typename).toBe('ValidationError');
  });

  it('caps a request body sent without Content-Length (chunked)', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 20) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authorization(server) },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('answers an oversized chunked body on a keep-alive connection with 413 once it is sent, and closes it cleanly', async () => {
    const { hostname, port } = new URL(server.url);
    const socket = net.connect(Number(port), hostname);
    const seen = { received: '', ending: undefined as string | undefined };
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => (seen.received += text));
    socket.on('end', () => (seen.ending ??= 'closed by the server'));
    socket.on('error', (error: NodeJS.ErrnoException) => (seen.ending ??= error.code ?? error.message));
    const mebibyte = 'x'.repeat(1024 * 1024);
    const sendChunks = (count: number) => {
      for (let i = 0; i < count; i++) socket.write(`100000\r\n${mebibyte}\r\n`);
    };
    try {
      socket.write(
        `POST /graphql HTTP/1.1\r\nhost: ${hostname}:${port}\r\nauthorization: Bearer ${server.key}\r\ncontent-type: application/json\r\n` +
          'transfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n',
      );
      // 20 MiB in 1 MiB chunks, over the 16 MiB limit, with a pause past the limit: the server
      // hears the body out before it answers (answering there and closing would reset the
      // connection under the rest of the body; keeping it open, leave the rest unread on it).
      sendChunks(17);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(seen, 'nothing before the body is complete').toEqual({ received: '', ending: undefined });
      sendChunks(3);
      socket.write('0\r\n\r\n');
      const answer = await eventually(() => seen.received, (received) => received.includes('\r\n\r\n') || seen.ending !== undefined, 'the answer to the oversized body');
      const head = answer.slice(0, Math.max(0, answer.indexOf('\r\n\r\n')));
      expect(head).toMatch(/^HTTP\/1\.1 413 /);
      // The client must not reuse the connection.
      expect(head).toMatch(/\r\nconnection: close(\r\n|$)/i);
      await eventually(() => seen.ending, (ending) => ending !== undefined, 'the server to close the connection');
      // A clean close (FIN), not a reset: the client could send its whole body and read the answer.
      expect(seen.ending).toBe('closed by the server');
      expect(seen.received).toContain('REQUEST_ENTITY_TOO_LARGE');
    } finally {
      socket.destroy();
    }
    // A fresh connection is served as usual.
    expect((await ask({ query: '{ products { totalCount } }' })).status).toBe(200);
  });

  it('closes a WebSocket that sends a message over 1 MiB', async () => {
    const closed = await new Promise<{ code: number }>((resolve) => {
      const client = wsClient(server, {
        retryAttempts: 0,
        on: { closed: (event) => resolve(event as { code: number }) },
      });
      client.subscribe({ query: '{ viewer { role } }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    expect(closed.code).toBe(1009);
  });
});
