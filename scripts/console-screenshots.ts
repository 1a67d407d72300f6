// Takes the README's screenshots of the console: a real server on a fresh embedded data directory
// (demo data), Debian's chromium through playwright-core. `node scripts/console-screenshots.ts`
// writes docs/screenshots/*.png.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { PGLITE_NODE_FLAGS } from '../src/infra/db/pglite/options.ts';
import { buildConsole } from './build-console.ts';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'docs/screenshots');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-screenshots-'));
const key = `screenshots-${randomBytes(16).toString('hex')}`;

await buildConsole();
const server = spawn(process.execPath, [...PGLITE_NODE_FLAGS, path.join(root, 'src/main.ts')], {
  env: { ...process.env, PORT: '0', PROVISIO_DATA_DIR: dataDir, PROVISIO_ADMIN_KEY: key, LOG_LEVEL: 'info' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let buffered = '';
  server.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const found = /"url":"([^"]+)"/.exec(buffered);
    if (found) resolve(found[1]!.replace(/\/graphql$/, ''));
  });
  server.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
});

const browser = await chromium.launch({ executablePath: process.env['PROVISIO_CHROMIUM'] ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  fs.mkdirSync(out, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(`${url}/console/`);
  await page.fill('input[name=apiKey]', key);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=viewer]');
  const shot = (name: string) => page.screenshot({ path: path.join(out, `${name}.png`) });

  await page.goto(`${url}/console/#/products/fibre-broadband`);
  await page.waitForSelector('form.provision');
  await page.fill('input[name=customerRef]', 'cust-4711');
  await shot('product');
  await page.click('form.provision button[type=submit]');
  await page.waitForURL(/#\/runs\//);
  await page.waitForFunction(() => document.querySelector('h1 .status')?.textContent === 'SUCCEEDED', undefined, { timeout: 120_000 });
  await shot('run');

  await page.goto(`${url}/console/#/inventory`);
  await page.waitForSelector('[data-testid=pools] tbody tr');
  await shot('inventory');
  await page.goto(`${url}/console/#/runs`);
  await page.waitForSelector('[data-testid=runs] tbody tr');
  await shot('runs');
  await page.goto(`${url}/console/#/`);
  await page.waitForSelector('main h1');
  await shot('attention');
  console.log(`screenshots written to ${path.relative(root, out)}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
