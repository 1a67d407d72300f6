import type { execa } from 'execa';

/**
 * execa and the ~130 modules under it load when Provisio first starts a process (a run, a syntax
 * check), not with the server: they were ~60 ms of every cold start.
 */
export async function loadExeca(): Promise<typeof execa> {
  return (await import('execa')).execa;
}
