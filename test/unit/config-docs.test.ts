import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

it("the README's configuration table lists exactly the variables the configuration reads", () => {
  const section = README.slice(README.indexOf('## Configuration'), README.indexOf('\n## ', README.indexOf('## Configuration') + 1));
  const documented = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]);
  expect(documented.length).toBeGreaterThan(20);
  expect(new Set(documented).size, 'a variable listed twice').toBe(documented.length);
  expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
});
