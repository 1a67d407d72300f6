/**
 * Schedules provisioning runs. The database row (status QUEUED) is the source of truth; a queue
 * only decides when a worker picks a run up, so a lost in-memory queue is rebuilt from the table.
 */
export interface RunQueue {
  /**
   * Schedules a run; the handler is called for it once a slot is free. Runs of one `group`
   * (a product) run at most `groupLimit` at a time, on top of the queue's global limit.
   */
  enqueue(runId: string, options?: { group?: string; groupLimit?: number | null }): Promise<void>;
  /** Takes a waiting run off the queue, if it is still waiting (a cancelled run is skipped anyway). */
  remove(runId: string): Promise<void>;
  /** 1 for the next run to start; undefined when this queue does not know (not waiting, or a shared queue). */
  position(runId: string): number | undefined;
  /** Starts handing runs to the handler. */
  start(handler: (runId: string) => Promise<void>): void;
  /** Stops taking new runs and waits for the running ones to finish. */
  close(): Promise<void>;
}
