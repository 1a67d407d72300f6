import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';

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
  /** A key was revoked or rotated away: every instance ends the sessions that use it. */
  'access:key-revoked': [KeyRevokedMessage];
}

export interface KeyRevokedMessage {
  keyId: string;
}

export type EventBus = PubSub<Topics> & { close(): Promise<void> };

/** Embedded profile: fan-out inside this process. */
export function createMemoryEventBus(): EventBus {
  return Object.assign(createPubSub<Topics>(), { close: async () => {} });
}

/** Cluster profile: Redis fans events out to every API instance. */
export function createRedisEventBus(redisUrl: string): EventBus {
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const eventTarget = createRedisEventTarget({ publishClient, subscribeClient });
  return Object.assign(createPubSub<Topics>({ eventTarget }), {
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  });
}
