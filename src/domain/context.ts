import type { PrismaClient } from '#generated/prisma/client.ts';
import type { RunEventStore } from './ports/run-event-store.ts';
import type { TrustedDocumentStore } from './access/trusted-documents.ts';
import type { PlaybookChecker } from './catalog/index.ts';
import type { SecretBox } from './secrets/index.ts';
import type { EventBus } from './ports/event-bus.ts';
import type { SyncAuditScheduler } from './ports/sync-audits.ts';
import type { RunQueue } from './ports/run-queue.ts';
import type { Logger } from '../logger.ts';
import type { WebhookOutbox } from './webhooks/index.ts';
import type { OrderEventFormat } from './orders/events.ts';
import type { ServiceEventFormat } from './services/state-events.ts';
import type { CatalogEventFormat } from './catalog/events.ts';

/**
 * The domain's dependencies for this app instance, built by the composition root (src/boot): the
 * same for every request and every job.
 */
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
  /** How service order changes read to their subscribers (the TMF hubs); set by the API. */
  orderEvents?: OrderEventFormat | undefined;
  /** How service state changes read to their subscribers (the TMF hubs); set by the API. */
  serviceEvents?: ServiceEventFormat | undefined;
  /** How product changes read to the catalog's subscribers (the TMF hubs); set by the API. */
  catalogEvents?: CatalogEventFormat | undefined;
  /** Keeps the products' sync audits at their times. */
  syncAudits?: SyncAuditScheduler | undefined;
  /** The shortest time between two audits a product's schedule may ask. */
  minAuditIntervalSeconds?: number | undefined;
}
