import { createPubSub } from '@graphql-yoga/subscription';
import type { EventBus, Topics } from '../../domain/ports/event-bus.ts';

/** Embedded profile: fan-out inside this process. */
export function createMemoryEventBus(): EventBus {
  return Object.assign(createPubSub<Topics>(), { lossless: true, close: async () => {} });
}
