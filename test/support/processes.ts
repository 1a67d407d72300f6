import { isPidRunning } from '../../src/runner/process-identity.ts';

/** Whether the process `pid` still exists (a zombie counts until it is reaped). */
export const alive = (pid: number): boolean => isPidRunning(pid);

/** Whether any process of the group `pgid` (an ansible-playbook of a run, with its forks) still exists. */
export const groupAlive = (pgid: number): boolean => isPidRunning(-pgid);
