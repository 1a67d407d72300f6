import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import type { EventBus, Topics } from '../../domain/ports/event-bus.ts';

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
