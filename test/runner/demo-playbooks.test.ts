import { execa } from 'execa';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/app.ts';
import { profile } from '../support/database.ts';

// The demo playbooks' own checks (effects on the lab files, rescue paths, idempotency, no secret
// in any output) through the real ansible-playbook, one product per test: each has its own time
// budget, so that a busy host slows a product's checks down without failing them. They touch
// no database: the PostgreSQL pass of CI skips them, so they run once per CI run.
describe.skipIf(profile === 'postgres')('the demo playbooks', () => {
  it.each(['mobile-sim-plan', 'fibre-broadband', 'voip-line'])('of %s pass their own checks (test/playbooks/validate.py)', { timeout: 1_200_000 }, async (product) => {
    const result = await execa('python3', [path.join(repoRoot, 'test/playbooks/validate.py'), product], { cwd: repoRoot, reject: false, all: true });
    expect(result.exitCode, result.all?.split('\n').filter((line) => /FAIL|Error|Traceback/.test(line)).slice(0, 40).join('\n')).toBe(0);
    expect(result.all).toContain('all checks passed');
  });
});
