import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupHosts, selectHosts } from '../../src/runner/host-patterns.ts';
import { renderInventory, type Inventory } from '../../src/runner/inventory.ts';

const inventory: Inventory = {
  vars: {},
  hosts: { 'olt-1': {}, 'olt-2': {}, 'bng-1': {}, 'sbc-1': {}, '2001:db8::1': {} },
  groups: {
    olts: { hosts: ['olt-1', 'olt-2'], children: [], vars: {} },
    bngs: { hosts: ['bng-1'], children: [], vars: {} },
    access: { hosts: [], children: ['olts', 'bngs'], vars: {} },
    staging: { hosts: ['olt-2', 'sbc-1'], children: [], vars: {} },
    v6: { hosts: ['2001:db8::1'], children: [], vars: {} },
  },
};

const PATTERNS = ['olts', 'access', 'olt-*', 'access:!bngs', 'access:&staging', 'olts,bngs', 'all', '*', 'staging:!olt-2', 'acc*', 'olt-1', 'nothing-here', 'access:&staging:!olt-1', '2001:db8::1,olt-1'];

describe('host patterns', () => {
  it('select the hosts Ansible selects (compared with ansible --list-hosts)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-patterns-'));
    try {
      const file = path.join(dir, 'inventory.yml');
      fs.writeFileSync(file, renderInventory(inventory));
      for (const pattern of PATTERNS) {
        const { stdout } = await execa('ansible', [pattern, '-i', file, '--list-hosts'], { reject: false, env: { ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_HOME: dir } });
        const ansible = stdout.split('\n').slice(1).map((line) => line.trim()).filter(Boolean).sort();
        expect([...selectHosts(inventory, pattern)].sort(), pattern).toEqual(ansible);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('expand groups through their children', () => {
    expect([...groupHosts(inventory).get('access')!].sort()).toEqual(['bng-1', 'olt-1', 'olt-2']);
  });
});
