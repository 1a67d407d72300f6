import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPILE_CACHE_DIR } from '../../src/compile-cache.ts';
import { SERVER_NODE_FLAGS } from '../../src/node-flags.ts';

const packageFile = new URL('../../package.json', import.meta.url);
const { scripts } = JSON.parse(fs.readFileSync(packageFile, 'utf8')) as { scripts: Record<string, string> };
const compileCache = `NODE_COMPILE_CACHE=${path.relative(path.dirname(packageFile.pathname), DEFAULT_COMPILE_CACHE_DIR)}`;

describe('server node flags', () => {
  it('npm start and npm run worker pass them', () => {
    for (const script of [scripts['start']!, scripts['worker']!]) {
      expect(script.split(/\s+/).slice(1, 2 + SERVER_NODE_FLAGS.length)).toEqual(['node', ...SERVER_NODE_FLAGS]);
    }
  });

  it('the test workers run with them, as the server does', () => {
    expect(process.execArgv).toEqual(expect.arrayContaining(SERVER_NODE_FLAGS));
  });
});

describe('compile cache', () => {
  it('npm start and npm run worker name it before node starts, so that the entry file is cached too', () => {
    expect(scripts['start']!.split(/\s+/)[0]).toBe(compileCache);
    expect(scripts['worker']!.split(/\s+/)[0]).toBe(compileCache);
  });
});
