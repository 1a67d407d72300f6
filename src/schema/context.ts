import type { PrismaClient } from '#generated/prisma/client.ts';
import type { RunEventStore } from '../domain/ports/run-event-store.ts';
import type { Viewer } from '../domain/access/viewer.ts';
import type { TrustedDocumentStore } from '../domain/access/trusted-documents.ts';
import type { PlaybookChecker } from '../domain/catalog/index.ts';
import type { SecretBox } from '../domain/secrets/index.ts';
import type { EventBus } from '../domain/ports/event-bus.ts';
import type { RunQueue } from '../domain/ports/run-queue.ts';
import type { Logger } from '../logger.ts';
import type { WebhookOutbox } from '../domain/webhooks/index.ts';

/** The domain's dependencies for this app instance: the same for every request. */
export interface AppContext {
  prisma: PrismaClient;
  /** The process's group commit of run events (a cancel records one). */
  eventStore: RunEventStore;
  events: EventBus;
  logger: Logger;
  playbooksDir: string;
  playbookChecker?: PlaybookChecker | undefined;
  /** The ansible-playbook executable (PROVISIO_ANSIBLE_PLAYBOOK); unset: `ansible-playbook` on PATH. */
  ansiblePlaybook: string | undefined;
  queue: RunQueue;
  defaultRunTimeoutSeconds: number;
  compensateInterrupted: boolean;
  trustedDocuments: TrustedDocumentStore;
  /** Seals secrets before they are stored; opens them only to hand them to Ansible. */
  secrets: SecretBox;
  /** Records webhook notifications with the changes they report, and schedules them. */
  webhooks: WebhookOutbox;
  /** Stops a run executing in this process (cancel); false when it does not run here. */
  stopRun(runId: string, reason: string): boolean;
}

/** What every resolver gets: the app's services and who is asking. */
export interface RequestContext extends AppContext {
  viewer: Viewer;
}
