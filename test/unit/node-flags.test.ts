import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PGLITE_NODE_FLAGS } from '../../src/infra/db/pglite-options.ts';

describe('node flags for PGlite', () => {
  it('npm start passes them', () => {
    const { scripts } = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const start = scripts.start!.split(/\s+/);
    expect(start.slice(0, 1 + PGLITE_NODE_FLAGS.length)).toEqual(['node', ...PGLITE_NODE_FLAGS]);
  });

  it('the test workers run with them, as the server does', () => {
    expect(process.execArgv).toEqual(expect.arrayContaining(PGLITE_NODE_FLAGS));
  });
});
