import type { RunLimit, RunQueue } from '../../domain/ports/run-queue.ts';

interface Waiting {
  runId: string;
  limits: readonly RunLimit[];
}

/**
 * Embedded profile: an in-process FIFO queue with a global limit and per-key limits (a product,
 * a target host or group). Hand-written because p-queue and similar libraries know one limit
 * only; a run whose product or element is at its limit must not hold up other runs behind it.
 */
export function createMemoryRunQueue(options: { concurrency: number; onError: (runId: string, error: unknown) => void }): RunQueue {
  const waiting: Waiting[] = [];
  const runningPerKey = new Map<string, number>();
  const count = (entry: Waiting, delta: number) => {
    for (const { key } of entry.limits) runningPerKey.set(key, (runningPerKey.get(key) ?? 0) + delta);
  };
  const active = new Set<Promise<void>>();
  let running = 0;
  let handler: ((runId: string) => Promise<void>) | undefined;
  let closed = false;

  function pump(): void {
    if (!handler || closed) return;
    for (let index = 0; index < waiting.length && running < options.concurrency; ) {
      const next = waiting[index]!;
      if (next.limits.some(({ key, limit }) => (runningPerKey.get(key) ?? 0) >= limit)) {
        index++;
        continue;
      }
      waiting.splice(index, 1);
      launch(next, handler);
    }
  }

  function launch(entry: Waiting, runHandler: (runId: string) => Promise<void>): void {
    running++;
    count(entry, 1);
    const task = runHandler(entry.runId)
      .catch((error: unknown) => options.onError(entry.runId, error))
      .finally(() => {
        running--;
        count(entry, -1);
        active.delete(task);
        pump();
      });
    active.add(task);
  }

  return {
    async enqueue(runIds, { limits = [] } = {}) {
      // While shutting down, a run (e.g. a compensation) stays QUEUED in the database: the next start picks it up.
      if (closed) return;
      const queued = new Set(waiting.map((entry) => entry.runId));
      for (const runId of runIds) {
        if (!queued.has(runId)) waiting.push({ runId, limits });
        queued.add(runId);
      }
      pump();
    },
    async remove(runId) {
      const index = waiting.findIndex((entry) => entry.runId === runId);
      if (index !== -1) waiting.splice(index, 1);
    },
    position(runId) {
      const index = waiting.findIndex((entry) => entry.runId === runId);
      return index === -1 ? undefined : index + 1;
    },
    start(runHandler) {
      handler = runHandler;
      pump();
    },
    async close() {
      closed = true;
      waiting.length = 0;
      await Promise.allSettled([...active]);
    },
  };
}
