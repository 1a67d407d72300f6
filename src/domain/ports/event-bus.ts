import type { PubSub } from '@graphql-yoga/subscription';

// The event bus the domain publishes on and subscribes to; infra/pubsub implements it in
// process (embedded) and over Redis (cluster).

/** Pool counts for one inventory kind, as published when the pool changes. */
export interface PoolCountsMessage {
  kind: string;
  available: number;
  reserved: number;
  inUse: number;
  quarantined: number;
  retired: number;
}

/** A persisted run event, published only after its transaction committed (invariant 3). */
export interface RunEventMessage {
  runId: string;
  seq: number;
  type: string;
  task: string | null;
  host: string | null;
  section: string | null;
  changed: boolean | null;
  data: unknown;
  createdAt: string;
}

/** A run's status and counters changed; `terminal` marks the last message for the run. */
export interface RunUpdatedMessage {
  runId: string;
  status: string;
  lastSeq: number;
  terminal: boolean;
}

/** Topics and payloads. Payloads are plain JSON so the Redis implementation can carry them. */
export interface Topics {
  [key: string]: [unknown] | [string | number, unknown];
  'inventory:pool': [PoolCountsMessage];
  'run:event': [runId: string, message: RunEventMessage];
  'run:updated': [runId: string, message: RunUpdatedMessage];
  /** Every run's status changes, for what follows runs in general (service orders). */
  'run:status': [RunUpdatedMessage];
  /** A TM Forum hub was registered or removed: who asks "does any hub listen" asks again. */
  'hubs:changed': [HubsChangedMessage];
  /** A key was revoked or rotated away: every instance ends the sessions that use it. */
  'access:key-revoked': [KeyRevokedMessage];
  /** A running run was cancelled: the process executing it stops it. */
  'run:cancel': [RunCancelMessage];
  /** A run was scheduled (or rescheduled): every process looks again for the next one due. */
  'runs:scheduled': [RunsScheduledMessage];
}

export interface RunsScheduledMessage {
  notBefore: string;
}

export interface RunCancelMessage {
  runId: string;
  reason: string;
}

export interface HubsChangedMessage {
  api: string;
}

export interface KeyRevokedMessage {
  keyId: string;
}

export type EventBus = PubSub<Topics> & {
  /**
   * Every message published reaches every subscriber in this process (the in-process bus; a
   * subscriber's own overflow is reported to it). Run streams then check the database for a
   * lost message rarely; over Redis, which loses messages while it is away, every quiet second.
   */
  readonly lossless: boolean;
  close(): Promise<void>;
};
