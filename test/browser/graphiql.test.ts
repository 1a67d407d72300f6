import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

/** Debian's chromium (installed by `npm test`'s setup and by .ci/run); no browser is downloaded. */
const CHROMIUM = process.env['PROVISIO_CHROMIUM'] ?? '/usr/bin/chromium';

let server: TestApp;
let browser: Browser;
beforeAll(async () => {
  server = await startTestApp();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('serves a working GraphiQL with the network to the outside blocked, and runs a query with a key', async () => {
  const page = await browser.newPage();
  const outside: string[] = [];
  // Everything that is not the server itself is refused, as on an isolated operations network.
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'blob:' || url.protocol === 'data:' || url.host === new URL(server.url).host) return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  await page.goto(server.url, { waitUntil: 'load' });
  await page.waitForSelector('.graphiql-container', { timeout: 60_000 });
  expect(outside).toEqual([]);

  // The page runs queries with what its headers pane holds: here, the admin key.
  const answer = await page.evaluate(async (key) => {
    const response = await fetch(location.pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    return response.json() as Promise<unknown>;
  }, server.key);
  expect(answer).toEqual({ data: { viewer: { role: 'ADMIN' } } });
  // The headers pane starts with a placeholder saying where the key goes.
  expect(await page.content()).toContain('your API key');
  await page.close();
});
