import type { execa } from 'execa';

/**
 * execa and the modules under it load when Provisio first starts a process (a run, a syntax
 * check), not with the server: they were a noticeable part of every cold start (bench startup).
 */
export async function loadExeca(): Promise<typeof execa> {
  return (await import('execa')).execa;
}
