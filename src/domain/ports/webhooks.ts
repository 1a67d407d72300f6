// What the webhook subsystem needs from infra: a queue that wakes it when a delivery is due, and
// an HTTP client that keeps to the URL policy.

/**
 * Schedules webhook deliveries. The WebhookDelivery row is the source of truth (status, next
 * attempt); the queue only says when to look at it, so a lost job is found again by the sweep.
 */
export interface DeliveryQueue {
  /** Hands `deliveryId` to the handler at `at` (at once if past). */
  schedule(deliveryId: string, at: Date): Promise<void>;
  /**
   * Hands `deliveryId` to the handler at `leaseEnd` too, whatever is scheduled meanwhile: the
   * sender holding it may die before recording its attempt. Only a queue that outlives the
   * sender needs to: in-process timers die with it, and the restarted process's sweep schedules
   * the delivery for its lease's end.
   */
  watchLease(deliveryId: string, leaseEnd: Date): Promise<void>;
  /** Starts handing due deliveries to the handler (processes that send). */
  start(handler: (deliveryId: string) => Promise<void>): void;
  /** Stops taking deliveries and waits for the ones being sent. */
  close(): Promise<void>;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The receiver's answer (its status and the start of its body), or why none came. */
export type WebhookResponse = { statusCode: number; body: string } | { error: string };

export interface WebhookSender {
  /** One POST; never follows redirects, never throws. */
  send(request: WebhookRequest): Promise<WebhookResponse>;
}
