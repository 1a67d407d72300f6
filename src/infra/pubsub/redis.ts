import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import type { EventBus, Topics } from '../../domain/ports/event-bus.ts';
import type { Logger } from '../../logger.ts';

/**
 * Cluster profile: Redis fans events out to every API instance and worker. While Redis is away
 * (a restart, a failover) a publish or subscribe fails after ioredis's retries; that must not
 * crash the process: the failure is logged, subscriptions are renewed on reconnect, and run
 * streams fill what they missed from the database.
 */
export function createRedisEventBus(redisUrl: string, logger: Logger): EventBus {
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  let warned = false;
  const failed = (what: string) => (error: unknown) => {
    // Once per outage: every event of a running playbook would otherwise log its own line.
    if (!warned) logger.warn({ err: error }, `event bus (Redis): ${what} failed; live delivery resumes when Redis is back`);
    warned = true;
  };
  for (const client of [publishClient, subscribeClient]) {
    client.on('ready', () => (warned = false));
    client.on('error', failed('connection'));
  }
  // The event target calls only these; the rejections it ignores are handled here.
  const guardedPublisher = { publish: (channel: string, message: string) => publishClient.publish(channel, message).catch(failed('publish')) };
  const guardedSubscriber = {
    on: subscribeClient.on.bind(subscribeClient),
    subscribe: (channel: string) => subscribeClient.subscribe(channel).catch(failed('subscribe')),
    unsubscribe: (channel: string) => subscribeClient.unsubscribe(channel).catch(failed('unsubscribe')),
  };
  const eventTarget = createRedisEventTarget({
    publishClient: guardedPublisher as unknown as Redis,
    subscribeClient: guardedSubscriber as unknown as Redis,
  });
  return Object.assign(createPubSub<Topics>({ eventTarget }), {
    lossless: false,
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  });
}
