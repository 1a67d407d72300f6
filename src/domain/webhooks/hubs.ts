import type { WebhookEndpoint } from '#generated/prisma/client.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { EventBus } from '../ports/event-bus.ts';
import { sealValues } from '../secrets/index.ts';
import type { EndpointWithSecret, WebhookDeps } from './endpoints.ts';
import { newSigningSecret } from './signing.ts';
import { webhookUrlProblem } from './url-policy.ts';

// TM Forum hubs (TMF630 event subscriptions): a client registers a callback, and gets the API's
// events at `{callback}/listener/{eventName}`, through the same outbox, retries, signatures and
// URL policy as Provisio's own webhooks. A hub is a webhook endpoint of a TMF API.

/** Hubs one partner (or the staff, together) may hold: each is a background sender's work. */
export const MAX_HUBS_PER_OWNER = 20;
const MAX_QUERY_LENGTH = 2_000;

export interface HubInput {
  api: string;
  callback: string;
  query?: string | null | undefined;
  partnerId: string | null;
}

export type HubDeps = WebhookDeps & { events: EventBus };

export async function createHub(deps: HubDeps, input: HubInput): Promise<EndpointWithSecret> {
  const problem = webhookUrlProblem(input.callback, deps.webhooks.settings.policy);
  if (problem) throw new ValidationError([{ path: 'callback', message: problem }]);
  if ((input.query ?? '').length > MAX_QUERY_LENGTH) throw new ValidationError([{ path: 'query', message: `at most ${MAX_QUERY_LENGTH} characters` }]);
  if ((await deps.prisma.webhookEndpoint.count({ where: { hubApi: { not: null }, partnerId: input.partnerId } })) >= MAX_HUBS_PER_OWNER) {
    throw new ValidationError([{ path: 'callback', message: `at most ${MAX_HUBS_PER_OWNER} hubs; one hub's query can take several event types` }]);
  }
  const secret = newSigningSecret();
  const endpoint = await deps.prisma.webhookEndpoint.create({
    data: {
      name: `hub:${input.api}:${crypto.randomUUID()}`,
      url: input.callback,
      events: [],
      description: `TM Forum hub of ${input.api}`,
      secrets: sealValues(deps.secrets, { secret }),
      hubApi: input.api,
      hubQuery: input.query ?? null,
      partnerId: input.partnerId,
    },
  });
  deps.events.publish('hubs:changed', { api: input.api });
  return { endpoint, secret };
}

/** A hub of this API that the caller registered (a partner only its own). */
export async function findHub(deps: WebhookDeps, api: string, id: string, partnerId: string | null): Promise<WebhookEndpoint> {
  const hub = await deps.prisma.webhookEndpoint.findFirst({ where: { id, hubApi: api, ...(partnerId ? { partnerId } : {}) } });
  if (!hub) throw new NotFoundError('hub', id);
  return hub;
}

export async function deleteHub(deps: HubDeps, api: string, id: string, partnerId: string | null): Promise<void> {
  const hub = await findHub(deps, api, id, partnerId);
  await deps.prisma.webhookEndpoint.deleteMany({ where: { id: hub.id } });
  deps.events.publish('hubs:changed', { api });
}
