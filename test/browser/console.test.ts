import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../scripts/build-console.ts';
import { createKey } from '../support/access.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { rawQuery, type Endpoint } from '../support/client.ts';

const CHROMIUM = process.env['PROVISIO_CHROMIUM'] ?? '/usr/bin/chromium';

let server: TestApp;
let browser: Browser;
const outside: string[] = [];
beforeAll(async () => {
  await buildConsole({ quiet: true });
  server = await startTestApp({}, { demo: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A signed-in console page; everything that is not the server is refused, as on an isolated network. */
async function signedIn(endpoint: Endpoint, prepare: (page: Page) => Promise<void> = async () => {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await prepare(page);
  const host = new URL(server.url).host;
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.host === host || url.protocol === 'data:') return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  await page.goto(new URL('/console/', server.url).href);
  await page.fill('input[name=apiKey]', endpoint.key);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=viewer]');
  return page;
}

async function provisionVoip(page: Page, customerRef: string, extra: (page: Page) => Promise<void> = async () => {}): Promise<string> {
  await page.goto(new URL('/console/#/products/voip-line', server.url).href);
  await page.fill('input[name=customerRef]', customerRef);
  await page.fill('input[name=caller_id_name]', 'Console test');
  await page.fill('input[name=sip_password]', 'a-long-sip-password');
  await extra(page);
  await page.click('form.provision button[type=submit]');
  await page.waitForURL(/#\/runs\//);
  return decodeURIComponent(page.url().split('#/runs/')[1]!);
}

const statusOf = (page: Page) => page.locator('h1 .status').innerText();

describe('operator console in a real browser', () => {
  it('signs in, provisions a demo product and shows its events arriving live', async () => {
    const page = await signedIn(server);
    expect(await page.locator('[data-testid=viewer]').innerText()).toContain('ADMIN');
    await provisionVoip(page, 'console-1', (p) => p.fill('input[name=simulate_delay_seconds]', '2'));
    // Events arrive while the run is still going, then the run succeeds.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=events]')?.getAttribute('data-rows')) > 3, undefined, { timeout: 60_000 });
    expect(await statusOf(page)).toMatch(/RUNNING|QUEUED/);
    await page.waitForFunction(() => document.querySelector('h1 .status')?.textContent === 'SUCCEEDED', undefined, { timeout: 120_000 });
    await page.waitForSelector('.event[data-type=run_finished]');
    expect(await page.locator('.event-task').count()).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('a failure flag ends ROLLED_BACK and names the failing task', async () => {
    const page = await signedIn(server);
    await provisionVoip(page, 'console-2', async (p) => void (await p.selectOption('select[name=simulate_failure_at]', 'voicemail_box')));
    await page.waitForFunction(() => document.querySelector('h1 .status')?.textContent === 'ROLLED_BACK', undefined, { timeout: 120_000 });
    expect(await page.locator('[data-testid=status-reason]').innerText()).toMatch(/voicemail_box/);
    expect(await page.locator('.event-failed').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('cancels a long run and links its compensation run', async () => {
    const page = await signedIn(server);
    await provisionVoip(page, 'console-3', (p) => p.fill('input[name=simulate_delay_seconds]', '300'));
    await page.waitForFunction(() => document.querySelector('h1 .status')?.textContent === 'RUNNING', undefined, { timeout: 60_000 });
    // Cancelled once its playbook is at work: a run cancelled before ansible-playbook started has nothing
    // to compensate (a busy host can hold it there), and this test is about the compensation.
    await page.waitForSelector('.event .title:has-text("Simulate a slow network element")', { timeout: 60_000 });
    await page.click('text=Cancel run');
    await page.waitForFunction(() => document.querySelector('h1 .status')?.textContent === 'CANCELED', undefined, { timeout: 60_000 });
    await page.click('[data-testid=compensation]');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent?.startsWith('DEPROVISION'), undefined, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('h1 .status')?.textContent === 'SUCCEEDED', undefined, { timeout: 120_000 });
    await page.close();
  });

  it('the event stream resumes after a dropped connection: every event once, none missing', async () => {
    // Every WebSocket of the page passes through here, so the test can cut it.
    const sockets: WebSocketRoute[] = [];
    const page = await signedIn(server, (p) =>
      p.routeWebSocket(/\/graphql$/, (socket) => {
        socket.connectToServer();
        sockets.push(socket);
      }),
    );
    const runId = await provisionVoip(page, 'console-offline', (p) => p.fill('input[name=simulate_delay_seconds]', '4'));
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=events]')?.getAttribute('data-rows')) > 0, undefined, { timeout: 60_000 });
    // The connection drops mid-run; events go on being recorded meanwhile, and the page reconnects.
    const shown = Number(await page.locator('[data-testid=events]').getAttribute('data-rows'));
    for (const socket of sockets) await socket.close({ code: 1006 });
    await page.waitForFunction(() => document.querySelector('h1 .status')?.textContent === 'SUCCEEDED', undefined, { timeout: 120_000 });
    const lastSeq = (await (await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${server.key}` }, body: JSON.stringify({ query: 'query ($id: ID!) { run(id: $id) { lastSeq } }', variables: { id: runId } }) })).json()) as { data: { run: { lastSeq: number } } };
    await page.waitForFunction((seq) => Number(document.querySelector('[data-testid=events]')?.getAttribute('data-rows')) === seq, lastSeq.data.run.lastSeq, { timeout: 30_000 });
    // The connection was made again, and the stream went on from where it was.
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    expect(shown).toBeLessThan(lastSeq.data.run.lastSeq);
    await page.close();
  });

  it('a viewer key sees the same views and no button that acts', async () => {
    const viewer = await createKey(server, 'VIEWER');
    const page = await signedIn(viewer);
    expect(await page.locator('[data-testid=viewer]').innerText()).toContain('VIEWER');
    const runId = await page.evaluate(() => document.querySelector<HTMLAnchorElement>('a[href^="#/runs/"]')?.getAttribute('href'));
    for (const view of ['#/products/voip-line', '#/inventory', '#/services', runId ?? '#/runs']) {
      await page.goto(new URL(`/console/${view}`, server.url).href);
      await page.waitForSelector('main h1');
      await page.waitForTimeout(300);
      const buttons = await page.locator('main button').allInnerTexts();
      expect(buttons, view).toEqual([]);
    }
    await page.close();
  });

  it('the first page lists a pool running low, with what is left', async () => {
    const gql = async (query: string, variables: Record<string, unknown> = {}) =>
      (await (await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${server.key}` }, body: JSON.stringify({ query, variables }) })).json()) as { data: { product: { id: string; pool: { provisionsLeft: number } } } };
    const { product } = (await gql(`{ product(slug: "mobile-sim-plan") { id pool { provisionsLeft } } }`)).data;
    await gql(`mutation ($id: ID!, $below: Int!) { updateProduct(id: $id, input: { poolAlertBelow: $below }) { __typename } }`, { id: product.id, below: product.pool.provisionsLeft + 1 });
    const page = await signedIn(server);
    const row = page.locator('[data-testid=low-pools] tr', { hasText: 'mobile-sim-plan' });
    await row.waitFor();
    expect(await row.innerText()).toContain(`${product.pool.provisionsLeft} left (alert below ${product.pool.provisionsLeft + 1})`);
    await gql(`mutation ($id: ID!) { updateProduct(id: $id, input: { poolAlertBelow: null }) { __typename } }`, { id: product.id });
    await page.reload();
    await page.waitForSelector('[data-testid=needs-attention]', { state: 'attached' });
    expect(await page.locator('[data-testid=low-pools]').count()).toBe(0);
    await page.close();
  });

  it('adds inventory from CSV and reports the bad rows', async () => {
    const page = await signedIn(server);
    await page.goto(new URL('/console/#/inventory', server.url).href);
    await page.fill('textarea[name=csv]', 'kind,identifier\nPHONE_NUMBER,+493012345678\nPHONE_NUMBER,not-a-number\n');
    await page.click('text=Add items');
    await page.waitForSelector('[data-testid=import-report] li');
    expect(await page.locator('[data-testid=import-report]').innerText()).toMatch(/row 2 \(not-a-number\)/);
    await page.fill('textarea[name=csv]', 'kind,identifier\nPHONE_NUMBER,+493012345678\n');
    await page.click('text=Add items');
    await page.waitForFunction(() => document.querySelector('[data-testid=import-report]')?.textContent?.includes('1 added'));
    await page.close();
  });

  it('shows a service drifted at its element, with the diff, and re-deploys it back in sync', async () => {
    const page = await signedIn(server);
    await provisionVoip(page, 'console-sync');
    await page.waitForFunction(() => document.querySelector('h1 .status')?.textContent === 'SUCCEEDED', undefined, { timeout: 120_000 });
    await page.click('a[href^="#/services/"]');
    const network = page.locator('#sync-heading .status');
    await page.click('button:has-text("Check now")');
    await page.waitForFunction(() => document.querySelector('#sync-heading .status')?.textContent === 'IN_SYNC', undefined, { timeout: 120_000 });
    expect(await page.locator('[data-testid=sync-diff]').count()).toBe(0);

    // Someone edits the line's voicemail box at the element, by hand.
    const number = (await page.locator('li', { hasText: 'PHONE_NUMBER' }).innerText()).split(' ')[1]!;
    const box = path.join(server.config.labDir, 'sip', 'voicemail', `${number}.json`);
    fs.writeFileSync(box, JSON.stringify({ edited: 'by hand' }));
    await page.click('button:has-text("Check now")');
    await page.waitForFunction(() => document.querySelector('#sync-heading .status')?.textContent === 'DRIFTED', undefined, { timeout: 120_000 });
    const diff = page.locator('[data-testid=sync-diff]');
    expect(await diff.count()).toBeGreaterThan(0);
    expect(await diff.first().locator('.diff-before').innerText()).toContain('by hand');
    expect(await page.locator('[data-testid=sync-diff] h3').allInnerTexts()).toContainEqual(expect.stringMatching(/voicemail/i));

    await page.click('button:has-text("Re-deploy")');
    await page.waitForFunction(() => document.querySelector('#sync-heading .status')?.textContent === 'IN_SYNC', undefined, { timeout: 120_000 });
    expect(await network.innerText()).toBe('IN_SYNC');
    expect(fs.readFileSync(box, 'utf8')).not.toContain('by hand');
    await page.close();
  });

  it('starts a bulk check of a product\'s services and follows it to its end', async () => {
    const page = await signedIn(server);
    const active = (await rawQuery(server, `{ services(first: 100, filter: { productSlug: "voip-line", status: ACTIVE }) { totalCount } }`)).services.totalCount;
    expect(active).toBeGreaterThan(0);
    await page.goto(new URL('/console/#/bulk', server.url).href);
    await page.fill('[data-testid=start-bulk] input[name=productSlug]', 'voip-lin');
    await page.click('[data-testid=start-bulk] button:has-text("Start")');
    await page.waitForSelector('[data-testid=start-bulk] [role=alert]');
    expect(await page.locator('[data-testid=start-bulk] [role=alert]').innerText()).toMatch(/voip-lin/);

    await page.fill('[data-testid=start-bulk] input[name=productSlug]', 'voip-line');
    await page.click('[data-testid=start-bulk] button:has-text("Start")');
    const row = page.locator('[data-testid=bulk-operation]').first();
    await page.waitForFunction(() => document.querySelector('[data-testid=bulk-operation] .status')?.textContent === 'DONE', undefined, { timeout: 180_000 });
    expect(await row.locator('[data-testid=bulk-done]').innerText()).toBe(`${active}/${active}`);
    expect(await row.locator('[data-testid=bulk-found]').innerText()).toBe(`${active} in sync · 0 drifted`);
    expect(await row.innerText()).toContain('voip-line');
    await page.close();
  });
});
