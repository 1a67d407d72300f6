import type { Prisma, PrismaClient, WebhookDelivery, WebhookEndpoint } from '#generated/prisma/client.ts';
import type { WebhookEvent } from '#generated/prisma/enums.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError, type FieldIssue } from '../errors.ts';
import { openValues, sealValues, type SecretBox } from '../secrets/index.ts';
import { apiId, deliveryBody } from './events.ts';
import type { WebhookOutbox } from './outbox.ts';
import { newSigningSecret } from './signing.ts';
import { webhookUrlProblem } from './url-policy.ts';

/** Each endpoint is a background sender's work: a bound keeps one admin key from making thousands. */
export const MAX_WEBHOOK_ENDPOINTS = 100;

export interface WebhookDeps {
  prisma: PrismaClient;
  secrets: SecretBox;
  webhooks: WebhookOutbox;
}

export interface WebhookEndpointInput {
  name: string;
  url: string;
  events: WebhookEvent[];
  description?: string | null | undefined;
  enabled?: boolean | null | undefined;
}

export type WebhookEndpointPatch = { [K in keyof WebhookEndpointInput]?: WebhookEndpointInput[K] | null };

/** An endpoint with its signing secret, shown once: at creation and at rotation. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

function validate(deps: WebhookDeps, input: WebhookEndpointInput): Pick<WebhookEndpoint, 'name' | 'url' | 'events' | 'description' | 'enabled'> {
  const issues: FieldIssue[] = [];
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) issues.push({ path: 'name', message: 'name must be 1 to 100 characters' });
  const urlProblem = webhookUrlProblem(input.url, deps.webhooks.settings.policy);
  if (urlProblem) issues.push({ path: 'url', message: urlProblem });
  const events = [...new Set(input.events)];
  if (events.length === 0) issues.push({ path: 'events', message: 'subscribe to at least one event' });
  if (events.includes('PING')) issues.push({ path: 'events', message: 'PING is sent on request only (pingWebhookEndpoint), not subscribed to' });
  if (events.includes('TMF_EVENT')) issues.push({ path: 'events', message: 'TMF_EVENT goes to TM Forum hubs, registered through the TMF APIs (POST …/hub)' });
  if ((input.description ?? '').length > 10_000) issues.push({ path: 'description', message: 'at most 10,000 characters' });
  if (issues.length) throw new ValidationError(issues);
  return { name, url: input.url, events, description: input.description ?? '', enabled: input.enabled ?? true };
}

export async function createWebhookEndpoint(deps: WebhookDeps, input: WebhookEndpointInput): Promise<EndpointWithSecret> {
  const row = validate(deps, input);
  const secret = newSigningSecret();
  if ((await deps.prisma.webhookEndpoint.count()) >= MAX_WEBHOOK_ENDPOINTS) {
    throw new ValidationError([{ path: 'name', message: `at most ${MAX_WEBHOOK_ENDPOINTS} endpoints; one endpoint can subscribe to several events` }]);
  }
  const endpoint = await uniqueName(row.name, () => deps.prisma.webhookEndpoint.create({ data: { ...row, secrets: sealValues(deps.secrets, { secret }) } }));
  return { endpoint, secret };
}

export async function updateWebhookEndpoint(deps: WebhookDeps, id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> {
  const current = await deps.prisma.webhookEndpoint.findUnique({ where: { id } });
  if (!current) throw new NotFoundError('WebhookEndpoint', id);
  const row = validate(deps, {
    name: patch.name ?? current.name,
    url: patch.url ?? current.url,
    events: patch.events ?? current.events,
    description: patch.description ?? current.description,
    enabled: patch.enabled ?? current.enabled,
  });
  return uniqueName(row.name, () => deps.prisma.webhookEndpoint.update({ where: { id }, data: row }));
}

/** Deletes the endpoint and its delivery log; deliveries not yet sent are dropped. */
export async function deleteWebhookEndpoint(deps: WebhookDeps, id: string): Promise<WebhookEndpoint> {
  const current = await deps.prisma.webhookEndpoint.findUnique({ where: { id } });
  if (!current) throw new NotFoundError('WebhookEndpoint', id);
  await deps.prisma.webhookEndpoint.deleteMany({ where: { id } });
  return current;
}

/** The longest a rotated-out secret keeps signing: receivers get a week to switch. */
export const MAX_SECRET_OVERLAP_SECONDS = 7 * 24 * 3600;

/**
 * A new signing secret, in effect from the next attempt of every delivery. With an overlap the
 * old one signs too until it ends (`webhook-signature` carries both), so receivers can switch
 * without refusing a delivery.
 */
export async function rotateWebhookSecret(deps: WebhookDeps, id: string, overlapSeconds = 0): Promise<EndpointWithSecret> {
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_SECRET_OVERLAP_SECONDS) {
    throw new ValidationError([{ path: 'overlapSeconds', message: `0 to ${MAX_SECRET_OVERLAP_SECONDS} (7 days)` }]);
  }
  const current = await deps.prisma.webhookEndpoint.findUnique({ where: { id } });
  if (!current) throw new NotFoundError('WebhookEndpoint', id);
  const secret = newSigningSecret();
  const { secret: previous } = openValues(deps.secrets, current.secrets as Record<string, unknown>) as { secret: string };
  const overlapping = overlapSeconds > 0;
  const { count } = await deps.prisma.webhookEndpoint.updateMany({
    // Compare-and-set: of two rotations at once, the second does not keep a secret nobody saw.
    where: { id, updatedAt: current.updatedAt },
    data: {
      secrets: sealValues(deps.secrets, overlapping ? { secret, previous } : { secret }),
      previousSecretExpiresAt: overlapping ? new Date(Date.now() + overlapSeconds * 1000) : null,
    },
  });
  if (count === 0) throw new ConflictError('the endpoint changed during the rotation; rotate again');
  return { endpoint: await deps.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } }), secret };
}

/** The secrets a delivery is signed with now: the current one, and the previous one during an overlap. */
export function signingSecrets(box: SecretBox, endpoint: Pick<WebhookEndpoint, 'secrets' | 'previousSecretExpiresAt'>, now = new Date()): string[] {
  const { secret, previous } = openValues(box, endpoint.secrets as Record<string, unknown>) as { secret: string; previous?: string };
  const overlapping = previous !== undefined && endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now;
  return overlapping ? [secret, previous] : [secret];
}

/**
 * Sends a delivery again, with the same id and body (receivers deduplicate on webhook-id): a
 * FAILED one gets a fresh set of attempts, a PENDING one is tried now. A delivered one is sent
 * again too (a receiver that lost it).
 */
export async function resendWebhookDelivery(deps: WebhookDeps, id: string): Promise<WebhookDelivery> {
  const now = new Date();
  const delivery = await deps.prisma.webhookDelivery.findUnique({ where: { id }, include: { endpoint: { select: { enabled: true, name: true } } } });
  if (!delivery) throw new NotFoundError('WebhookDelivery', id);
  if (!delivery.endpoint.enabled) throw new InvalidStateError(`the endpoint ${delivery.endpoint.name} is disabled; enable it first`, 'DISABLED');
  const updated = await deps.prisma.webhookDelivery.update({
    where: { id },
    data: { status: 'PENDING', nextAttemptAt: now, attemptLimit: delivery.attempts + deps.webhooks.settings.maxAttempts, deliveredAt: null },
  });
  await deps.webhooks.schedule([{ id, at: now }]);
  return updated;
}

/** Sends a PING to one endpoint, to check its URL and the receiver's verification. */
export async function pingWebhookEndpoint(deps: WebhookDeps, id: string): Promise<WebhookDelivery> {
  const endpoint = await deps.prisma.webhookEndpoint.findUnique({ where: { id } });
  if (!endpoint) throw new NotFoundError('WebhookEndpoint', id);
  if (!endpoint.enabled) throw new InvalidStateError(`the endpoint ${endpoint.name} is disabled; enable it first`, 'DISABLED');
  const at = new Date();
  const delivery = await deps.prisma.webhookDelivery.create({
    data: {
      endpointId: id,
      event: 'PING',
      payload: deliveryBody({ event: 'PING', data: { endpoint: { id: apiId('WebhookEndpoint', id), name: endpoint.name } } }, at) as Prisma.InputJsonObject,
      attemptLimit: 1,
      nextAttemptAt: at,
    },
  });
  await deps.webhooks.schedule([{ id: delivery.id, at }]);
  return delivery;
}

async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw new ConflictError(`a webhook endpoint named "${name}" already exists`);
    throw error;
  }
}
