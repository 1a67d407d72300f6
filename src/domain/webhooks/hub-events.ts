import type { Prisma } from '#generated/prisma/client.ts';

// Which TM Forum hubs an event goes to (TMF630 event subscriptions): the outbox asks this when
// it records an event; hubs.ts registers and removes them.

/** An event for the hubs of one API: its TMF body, and whose resource it is about. */
export interface HubEvent {
  api: string;
  /** The TMF eventType, e.g. ServiceOrderStateChangeEvent. */
  eventType: string;
  /** The partner the order or service belongs to (its hubs, and the staff's, get the event). */
  partnerId: string | null;
  body: Record<string, unknown>;
}

/** The values at a dotted path; through arrays, every element's. */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(value) ? value : [value];
  if (Array.isArray(value)) return value.flatMap((element) => valuesAt(element, path));
  if (typeof value !== 'object' || value === null) return [];
  return valuesAt((value as Record<string, unknown>)[path[0]!], path.slice(1));
}

/**
 * Whether a hub's query takes an event (TMF630): `eventType=A,B` names the types; any other
 * `attribute=a,b` must hold at that path of the event's resource (`serviceOrder.state=completed`),
 * or of the whole body (`event.serviceOrder.state=…`). No query: every event of the API.
 */
export function hubQueryMatches(query: string | null, event: Pick<HubEvent, 'eventType' | 'body'>): boolean {
  if (!query) return true;
  for (const [key, value] of new URLSearchParams(query.replace(/^\?/, ''))) {
    const wanted = value.split(',');
    if (key === 'eventType') {
      if (!wanted.some((type) => type.toLowerCase() === event.eventType.toLowerCase())) return false;
      continue;
    }
    const path = key.split('.');
    const found = [...valuesAt(event.body['event'], path), ...valuesAt(event.body, path)].map(String);
    if (!found.some((candidate) => wanted.includes(candidate))) return false;
  }
  return true;
}

/** The hubs an event goes to: of its API, enabled, the staff's or its partner's, whose query takes it. */
export async function hubsFor(tx: Prisma.TransactionClient, event: HubEvent): Promise<string[]> {
  const hubs = await tx.webhookEndpoint.findMany({
    where: { hubApi: event.api, enabled: true, OR: [{ partnerId: null }, ...(event.partnerId ? [{ partnerId: event.partnerId }] : [])] },
    select: { id: true, hubQuery: true },
  });
  return hubs.filter((hub) => hubQueryMatches(hub.hubQuery, event)).map((hub) => hub.id);
}
