import type { PrismaClient } from '#generated/prisma/client.ts';
import type { PlaybookChecker } from '../domain/products.ts';
import type { EventBus } from '../infra/pubsub/pubsub.ts';
import type { RunQueue } from '../infra/queue/queue.ts';
import type { Logger } from '../logger.ts';

/** What every resolver gets: the domain's dependencies for this app instance. */
export interface AppContext {
  prisma: PrismaClient;
  events: EventBus;
  logger: Logger;
  playbooksDir: string;
  playbookChecker?: PlaybookChecker | undefined;
  queue: RunQueue;
  defaultRunTimeoutSeconds: number;
  compensateInterrupted: boolean;
  /** Stops a run executing in this process (cancel); false when it does not run here. */
  stopRun(runId: string, reason: string): boolean;
}
