import { describe, expect, it } from 'vitest';
import { lifecycleTransition } from '../src/domain/runs/lifecycle.ts';

// The design notes' state table, as the code applies it after a run ends.
const provision = { action: 'PROVISION' as const, compensatesRunId: null };
const deprovision = { action: 'DEPROVISION' as const, compensatesRunId: null };
const compensation = { action: 'DEPROVISION' as const, compensatesRunId: 'a-cancelled-provision' };
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
