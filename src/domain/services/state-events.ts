import type { InventoryItem, PrismaClient, Product, Service, ServiceStatus } from '#generated/prisma/client.ts';
import type { Logger } from '../../logger.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { HubEvent, WebhookOutbox } from '../webhooks/index.ts';

// The TM Forum service inventory hubs hear of a service's states: each change of its status is
// told once, whichever process or transport made it. The API follows run statuses (a service
// changes when its runs start and end) and sweeps for what a lost message left untold; the
// status last told is kept on the service, moved from what it was, so a change is told once.

export type NotifiedService = Service & { product: Product; inventoryItems: InventoryItem[] };

export interface ServiceChange {
  kind: 'serviceCreated' | 'serviceStateChanged';
  service: NotifiedService;
  previous: ServiceStatus | null;
}

/** Service changes in the hubs' words (TMF638's events); the domain knows only what changed. */
export interface ServiceEventFormat {
  /** The API whose hubs hear of services. */
  readonly api: string;
  events(changes: readonly ServiceChange[]): HubEvent[];
}

export interface ServiceNotifyDeps {
  prisma: PrismaClient;
  webhooks: WebhookOutbox;
  serviceEvents?: ServiceEventFormat | undefined;
}

/** Tells the hubs of the service's status if it changed since they were last told. */
export async function notifyServiceState(deps: ServiceNotifyDeps, serviceId: string): Promise<void> {
  const format = deps.serviceEvents;
  if (!format) return;
  const service = await deps.prisma.service.findUnique({ where: { id: serviceId }, include: { product: true, inventoryItems: { orderBy: [{ kind: 'asc' }, { identifier: 'asc' }] } } });
  if (!service || service.notifiedStatus === service.status) return;
  const deliveries = await deps.prisma.$transaction(async (tx) => {
    // Raw: bookkeeping must not touch the service's updatedAt. Guarded by both states, so a
    // change is told once even when two processes look at once.
    const moved = await tx.$executeRawUnsafe(
      'UPDATE "Service" SET "notifiedStatus" = $1::"ServiceStatus" WHERE id = $2::uuid AND status = $1::"ServiceStatus" AND "notifiedStatus" IS NOT DISTINCT FROM $3::"ServiceStatus"',
      service.status,
      service.id,
      service.notifiedStatus,
    );
    if (moved === 0) return [];
    const change: ServiceChange = { kind: service.notifiedStatus ? 'serviceStateChanged' : 'serviceCreated', service, previous: service.notifiedStatus };
    return deps.webhooks.recordHubEvents(tx, format.events([change]));
  });
  await deps.webhooks.schedule(deliveries);
}

/** Services whose status the hubs were not told of yet, oldest change first (the sweep's batch). */
export async function untoldServices(prisma: PrismaClient, limit: number): Promise<string[]> {
  const rows = await prisma.$queryRawUnsafe<Array<{ id: string }>>(
    'SELECT id FROM "Service" WHERE "notifiedStatus" IS DISTINCT FROM status ORDER BY "updatedAt" LIMIT $1',
    limit,
  );
  return rows.map((row) => row.id);
}

/**
 * A new hub hears of changes from its registration on: what no hub was told before is taken as
 * told (a first hub would otherwise get the whole history).
 */
export async function startTellingServices(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe('UPDATE "Service" SET "notifiedStatus" = status WHERE "notifiedStatus" IS DISTINCT FROM status');
}

/** How long the answer "does any hub want service events" is trusted (a registration anywhere also resets it, over the bus). */
const HUB_CHECK_MS = 2_000;
const SWEEP_BATCH = 100;

/**
 * Tells the hubs of service states as runs start and end (the event bus's run status), and
 * sweeps every `sweepMs` for changes a lost message or a crash left untold; nothing at all
 * while no hub of the API listens. Returns how to stop.
 */
export function followServiceStates(deps: ServiceNotifyDeps & { events: EventBus; logger: Logger }, options: { sweepMs: number }): () => void {
  const format = deps.serviceEvents;
  if (!format) return () => {};
  let checked = { at: 0, listening: false };
  const listening = async () => {
    if (Date.now() - checked.at > HUB_CHECK_MS) checked = { at: Date.now(), listening: (await deps.prisma.webhookEndpoint.count({ where: { hubApi: format.api, enabled: true } })) > 0 };
    return checked.listening;
  };
  const warn = (what: string) => (error: unknown) => deps.logger.warn({ err: error }, what);
  const hubChanges = deps.events.subscribe('hubs:changed');
  void (async () => {
    for await (const change of hubChanges) if (change.api === format.api) checked = { at: 0, listening: false };
  })().catch(warn('following hub registrations stopped'));
  const messages = deps.events.subscribe('run:status');
  void (async () => {
    for await (const message of messages) {
      if (message.status === 'QUEUED' || !(await listening())) continue;
      const run = await deps.prisma.provisioningRun.findUnique({ where: { id: message.runId }, select: { serviceId: true } });
      if (run?.serviceId) await notifyServiceState(deps, run.serviceId).catch(warn('telling hubs of a service state failed; the sweep tries again'));
    }
  })().catch(warn('following run statuses for service events stopped'));
  const sweep = async () => {
    if (!(await listening())) return;
    for (const id of await untoldServices(deps.prisma, SWEEP_BATCH)) await notifyServiceState(deps, id);
  };
  const timer = setInterval(() => void sweep().catch(warn('the service event sweep failed')), options.sweepMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    void messages.return?.();
    void hubChanges.return?.();
  };
}
