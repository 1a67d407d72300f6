import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPILE_CACHE_DIR } from '../../src/boot/compile-cache.ts';
import { PGLITE_NODE_FLAGS } from '../../src/infra/db/pglite/options.ts';

const packageFile = new URL('../../package.json', import.meta.url);
const { scripts } = JSON.parse(fs.readFileSync(packageFile, 'utf8')) as { scripts: Record<string, string> };
const compileCache = `NODE_COMPILE_CACHE=${path.relative(path.dirname(packageFile.pathname), DEFAULT_COMPILE_CACHE_DIR)}`;

describe('node flags for PGlite', () => {
  it('npm start passes them', () => {
    const start = scripts['start']!.split(/\s+/);
    expect(start.slice(1, 2 + PGLITE_NODE_FLAGS.length)).toEqual(['node', ...PGLITE_NODE_FLAGS]);
  });

  it('the test workers run with them, as the server does', () => {
    expect(process.execArgv).toEqual(expect.arrayContaining(PGLITE_NODE_FLAGS));
  });
});

describe('compile cache', () => {
  it('npm start and npm run worker name it before node starts, so that the entry file is cached too', () => {
    expect(scripts['start']!.split(/\s+/)[0]).toBe(compileCache);
    expect(scripts['worker']!.split(/\s+/)[0]).toBe(compileCache);
  });
});
