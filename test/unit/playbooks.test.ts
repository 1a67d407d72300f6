import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { listPlaybooks, resolvePlaybook } from '../../src/domain/catalog/playbooks.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-playbooks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
for (const file of ['visible/provision.yml', '.hidden/provision.yml', 'visible/.draft.yml', 'visible/notes.txt']) {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), '- hosts: localhost\n  tasks: []\n');
}

it('lists exactly the playbooks a product may name, and resolves nothing else', async () => {
  const listed = (await listPlaybooks(dir)).map((playbook) => playbook.name);
  expect(listed).toEqual(['visible/provision.yml']);
  for (const name of listed) expect(await resolvePlaybook(dir, name)).toHaveProperty('path');
  expect(await resolvePlaybook(dir, '.hidden/provision.yml')).toEqual({ error: 'playbook name must not contain hidden (dot) files or folders' });
  expect(await resolvePlaybook(dir, 'visible/.draft.yml')).toEqual({ error: 'playbook name must not contain hidden (dot) files or folders' });
  expect(await resolvePlaybook(dir, 'visible/../visible/provision.yml')).toHaveProperty('error');
  expect(await resolvePlaybook(dir, 'visible/notes.txt')).toEqual({ error: 'playbook name must end in .yml or .yaml' });
});
