import PQueue from 'p-queue';

/**
 * Schedules provisioning runs. The database row (status QUEUED) is the source of truth; a queue
 * only decides when a worker picks a run up, so a lost in-memory queue is rebuilt from the table.
 */
export interface RunQueue {
  /** Schedules a run; the handler is called for it once a slot is free. */
  enqueue(runId: string): Promise<void>;
  /** 1 for the next run to start, undefined when the run is not waiting here. */
  position(runId: string): number | undefined;
  /** Starts handing runs to the handler. */
  start(handler: (runId: string) => Promise<void>): void;
  /** Stops taking new runs and waits for the running ones to finish. */
  close(): Promise<void>;
}

/** Embedded profile: an in-process queue with a global concurrency limit. */
export function createMemoryRunQueue(options: { concurrency: number; onError: (runId: string, error: unknown) => void }): RunQueue {
  const queue = new PQueue({ concurrency: options.concurrency, autoStart: false });
  const waiting: string[] = [];
  let handler: ((runId: string) => Promise<void>) | undefined;
  let closed = false;
  return {
    async enqueue(runId) {
      if (closed) throw new Error('run queue is closed');
      if (waiting.includes(runId)) return;
      waiting.push(runId);
      void queue.add(async () => {
        waiting.splice(waiting.indexOf(runId), 1);
        if (closed || !handler) return;
        try {
          await handler(runId);
        } catch (error) {
          options.onError(runId, error);
        }
      });
    },
    position(runId) {
      const index = waiting.indexOf(runId);
      return index === -1 ? undefined : index + 1;
    },
    start(runHandler) {
      handler = runHandler;
      queue.start();
    },
    async close() {
      closed = true;
      queue.clear();
      waiting.length = 0;
      await queue.onIdle();
    },
  };
}
