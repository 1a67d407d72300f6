/**
 * Schedules provisioning runs. The database row (status QUEUED) is the source of truth; a queue
 * only decides when a worker picks a run up, so a lost in-memory queue is rebuilt from the table.
 */
/** At most `limit` runs with this `key` at once. */
export interface RunLimit {
  key: string;
  limit: number;
}

export interface RunQueue {
  /**
   * Schedules runs (in the order given); the handler is called for each once a slot is free:
   * under the queue's global limit and under each of the runs' `limits` (their product's, and
   * those of the target hosts and groups they touch), counted over the runs sharing each key.
   */
  enqueue(runIds: readonly string[], options?: { limits?: readonly RunLimit[] }): Promise<void>;
  /** Takes a waiting run off the queue, if it is still waiting (a cancelled run is skipped anyway). */
  remove(runId: string): Promise<void>;
  /** 1 for the next run to start; undefined when this queue does not know (not waiting, or a shared queue). */
  position(runId: string): number | undefined;
  /** Starts handing runs to the handler. */
  start(handler: (runId: string) => Promise<void>): void;
  /** Stops taking new runs and waits for the running ones to finish. */
  close(): Promise<void>;
}
