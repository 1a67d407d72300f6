import { AsyncLocalStorage } from 'node:async_hooks';

const background = new AsyncLocalStorage<true>();

/**
 * Runs `work` as background work: an operation that may wait (the expensive ones the cost limit
 * lets through). Whatever it starts, down to its database queries, knows it from `isBackground`.
 */
export function runAsBackground<T>(work: () => T): T {
  return background.run(true, work);
}

export function isBackground(): boolean {
  return background.getStore() === true;
}
