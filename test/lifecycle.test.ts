import { describe, expect, it } from 'vitest';
import { lifecycleTransition } from '../src/domain/runs/lifecycle.ts';
import { diffShowsChange, syncStateOf } from '../src/domain/runs/sync-end.ts';

// The design notes' state table, as the code applies it after a run ends.
const provision = { action: 'PROVISION' as const, compensatesRunId: null };
const deprovision = { action: 'DEPROVISION' as const, compensatesRunId: null };
const compensation = { action: 'DEPROVISION' as const, compensatesRunId: 'a-cancelled-provision' };
const redeploy = { action: 'REDEPLOY' as const, compensatesRunId: null, serviceStatusBefore: 'ACTIVE' as const };
const compensate = { compensateInterrupted: true };

describe('lifecycleTransition', () => {
  it.each([
    [provision, 'SUCCEEDED', { service: 'ACTIVE', inventory: 'IN_USE' }],
    [provision, 'ROLLED_BACK', { service: 'FAILED', inventory: 'AVAILABLE' }],
    [provision, 'FAILED', { service: 'NEEDS_ATTENTION', inventory: 'QUARANTINED' }],
    [provision, 'CANCELED', { service: 'PROVISIONING', compensate: true }],
    [provision, 'TIMED_OUT', { service: 'PROVISIONING', compensate: true }],
    [provision, 'INTERRUPTED', { service: 'PROVISIONING', compensate: true }],
    [deprovision, 'SUCCEEDED', { service: 'DEPROVISIONED', inventory: 'AVAILABLE' }],
    [deprovision, 'ROLLED_BACK', { service: 'ACTIVE', inventory: 'IN_USE' }],
    [deprovision, 'FAILED', { service: 'NEEDS_ATTENTION', inventory: 'IN_USE' }],
    [deprovision, 'CANCELED', { service: 'NEEDS_ATTENTION', inventory: 'IN_USE' }],
    [compensation, 'SUCCEEDED', { service: 'FAILED', inventory: 'AVAILABLE' }],
    [compensation, 'FAILED', { service: 'NEEDS_ATTENTION', inventory: 'QUARANTINED' }],
    [compensation, 'ROLLED_BACK', { service: 'NEEDS_ATTENTION', inventory: 'QUARANTINED' }],
    // A re-deploy changes no record: rescued or stopped, the service stays as it was (a check tells the network's state).
    [redeploy, 'SUCCEEDED', { service: 'ACTIVE' }],
    [redeploy, 'ROLLED_BACK', { service: 'ACTIVE' }],
    [redeploy, 'CANCELED', { service: 'ACTIVE' }],
    [redeploy, 'INTERRUPTED', { service: 'ACTIVE' }],
    [redeploy, 'FAILED', { service: 'NEEDS_ATTENTION' }],
  ] as const)('%o ended %s → %o', (run, status, expected) => {
    expect(lifecycleTransition(run, { status, reason: null }, compensate)).toEqual(expected);
  });

  it('quarantines an interrupted provision at once when compensation after a crash is switched off', () => {
    expect(lifecycleTransition(provision, { status: 'INTERRUPTED', reason: null }, { compensateInterrupted: false })).toEqual({
      service: 'NEEDS_ATTENTION',
      inventory: 'QUARANTINED',
    });
  });

  it('frees everything when a run was stopped before its playbook started', () => {
    const never = { status: 'CANCELED' as const, reason: null, neverStarted: true };
    expect(lifecycleTransition(provision, never, compensate)).toEqual({ service: 'FAILED', inventory: 'AVAILABLE' });
    expect(lifecycleTransition(deprovision, never, compensate)).toEqual({ service: 'ACTIVE', inventory: 'IN_USE' });
    expect(lifecycleTransition(compensation, never, compensate)).toEqual({ service: 'NEEDS_ATTENTION', inventory: 'QUARANTINED' });
  });
});

describe('syncStateOf', () => {
  it.each([
    ['SUCCEEDED', 0, 'IN_SYNC'],
    ['SUCCEEDED', 3, 'DRIFTED'],
    ['FAILED', 0, 'UNKNOWN'],
    ['ROLLED_BACK', 2, 'UNKNOWN'],
    ['TIMED_OUT', 0, 'UNKNOWN'],
    ['CANCELED', 1, 'UNKNOWN'],
  ] as const)('a check that ended %s with %i changes → %s', (status, changed, expected) => {
    expect(syncStateOf(status, changed)).toBe(expected);
  });
});

describe('diffShowsChange', () => {
  it.each([
    [{ diff: [{ before: { path: '/x' }, after: { path: '/x' } }] }, false],
    [{ diff: [{ before: 'a := 1\n', after: 'a := 1\n', before_header: 'db', after_header: 'db' }] }, false],
    [{ diff: [{ before: 'a := 1\n', after: 'a := 2\n' }] }, true],
    [{ diff: [{ before: { state: 'absent' }, after: { state: 'present' } }] }, true],
    [{ diff: [{ prepared: 'a template' }] }, true],
    [{ diff: [] }, false],
    [{}, false],
  ])('%o → %s', (data, expected) => {
    expect(diffShowsChange(data)).toBe(expected);
  });
});
