import type { Prisma } from '#generated/prisma/client.ts';
import { WebhookDeliveryStatus, WebhookEvent } from '#generated/prisma/enums.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../domain/errors.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  EVENT_TYPES,
  MAX_SECRET_OVERLAP_SECONDS,
  MAX_WEBHOOK_ENDPOINTS,
  pingWebhookEndpoint,
  resendWebhookDelivery,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type EndpointWithSecret,
} from '../domain/webhooks/index.ts';
import { adminOnlyNode } from './access.ts';
import { builder } from './builder.ts';
import { errorTypes, expectType } from './errors.ts';

const adminOnly = { authScopes: { admin: true } } as const;

const WebhookEventEnum = builder.enumType(WebhookEvent, {
  name: 'WebhookEvent',
  description:
    'RUN_FINISHED: any run ended. RUN_FAILED: a run ended FAILED, ROLLED_BACK, TIMED_OUT or INTERRUPTED. SERVICE_NEEDS_ATTENTION: a rollback, deprovision or action could not complete. ITEM_QUARANTINED: an item\'s real state is unknown. POOL_LOW: a product\'s pool fell below its poolAlertBelow. PING: sent by pingWebhookEndpoint only. TMF_EVENT: a TM Forum event to a hub registered through the TMF APIs (eventType names it). SERVICE_DRIFTED: a sync check found a service\'s network no longer matching its record (told when it becomes DRIFTED).',
});

const DeliveryStatusEnum = builder.enumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING: not delivered yet (nextAttemptAt says when it is tried). DELIVERED: the receiver answered 2xx. FAILED: every attempt failed; resendWebhookDelivery tries again.',
});

export const WebhookEndpointRef = builder.prismaNode('WebhookEndpoint', {
  id: { field: 'id' },
  findUnique: adminOnlyNode,
  nullable: true,
  description: 'A receiver of signed notifications (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature). Its signing secret is shown only by createWebhookEndpoint and rotateWebhookSecret. Admin only.',
  fields: (t) => ({
    name: t.exposeString('name'),
    url: t.exposeString('url'),
    events: t.field({ type: [WebhookEventEnum], resolve: (endpoint) => endpoint.events }),
    description: t.exposeString('description'),
    previousSecretExpiresAt: t.expose('previousSecretExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'While a rotation overlaps: until then deliveries are signed with the previous secret too.',
    }),
    enabled: t.exposeBoolean('enabled', { description: 'A disabled endpoint gets no new deliveries; its pending ones fail at their next attempt.' }),
    deliveries: t.relatedConnection('deliveries', {
      cursor: 'id',
      description: 'Newest first.',
      args: { status: t.arg({ type: DeliveryStatusEnum }) },
      query: (args) => ({ where: args.status ? { status: args.status } : {}, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
      totalCount: true,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const WebhookDeliveryRef = builder.prismaNode('WebhookDelivery', {
  id: { field: 'id' },
  findUnique: adminOnlyNode,
  nullable: true,
  description: 'One notification to one endpoint, and how sending it went. Its database id is the webhook-id header (receivers deduplicate on it). Admin only.',
  fields: (t) => ({
    deliveryId: t.exposeString('id', { description: 'The webhook-id header.' }),
    endpoint: t.relation('endpoint'),
    event: t.expose('event', { type: WebhookEventEnum }),
    eventType: t.string({ description: 'The body\'s type, e.g. run.failed.', select: { event: true, hubEventType: true }, resolve: (delivery) => delivery.hubEventType ?? EVENT_TYPES[delivery.event] }),
    payload: t.field({ type: 'JSONObject', description: 'The body sent: { type, timestamp, data }.', resolve: (delivery) => delivery.payload as Record<string, unknown> }),
    status: t.expose('status', { type: DeliveryStatusEnum }),
    attempts: t.exposeInt('attempts'),
    attemptLimit: t.exposeInt('attemptLimit', { description: 'FAILED after this many attempts; a resend adds a fresh set.' }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true }),
    lastStatusCode: t.exposeInt('lastStatusCode', { nullable: true, description: 'The receiver\'s HTTP status at the last attempt; null: no answer (see lastError).' }),
    lastError: t.exposeString('lastError', { nullable: true }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const WebhookDeliveryFilter = builder.inputType('WebhookDeliveryFilter', {
  fields: (t) => ({
    endpointId: t.globalID(),
    status: t.field({ type: DeliveryStatusEnum }),
    event: t.field({ type: WebhookEventEnum }),
  }),
});

function deliveryWhere(filter: { endpointId?: { id: string; typename: string } | null; status?: WebhookDeliveryStatus | null; event?: WebhookEvent | null } | null | undefined): Prisma.WebhookDeliveryWhereInput {
  return {
    ...(filter?.endpointId ? { endpointId: expectType(filter.endpointId, 'WebhookEndpoint') } : {}),
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.event ? { event: filter.event } : {}),
  };
}

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaConnection({
    type: 'WebhookEndpoint',
    cursor: 'id',
    ...adminOnly,
    description: 'Admin only.',
    totalCount: (_parent, _args, ctx) => ctx.prisma.webhookEndpoint.count(),
    resolve: (query, _parent, _args, ctx) => ctx.prisma.webhookEndpoint.findMany({ ...query, orderBy: [{ name: 'asc' }] }),
  }),
  webhookDeliveries: t.prismaConnection({
    type: 'WebhookDelivery',
    cursor: 'id',
    ...adminOnly,
    description: 'The delivery log, newest first. Admin only.',
    args: { filter: t.arg({ type: WebhookDeliveryFilter }) },
    totalCount: (_parent, args, ctx) => ctx.prisma.webhookDelivery.count({ where: deliveryWhere(args.filter) }),
    resolve: (query, _parent, args, ctx) => ctx.prisma.webhookDelivery.findMany({ ...query, where: deliveryWhere(args.filter), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}));

const WebhookEndpointWithSecretRef = builder.objectRef<EndpointWithSecret>('WebhookEndpointWithSecret').implement({
  description: 'An endpoint and its signing secret, shown this once: give it to the receiver now.',
  fields: (t) => ({
    endpoint: t.field({ type: WebhookEndpointRef, resolve: (issued) => issued.endpoint }),
    signingSecret: t.exposeString('secret', { description: '"whsec_" + base64 key: the Standard Webhooks libraries take it as it is.' }),
  }),
});

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    url: t.string({
      required: true,
      description: 'https, no credentials; http and internal addresses only for hosts on PROVISIO_WEBHOOK_ALLOWED_HOSTS (which, when set, lists the only hosts allowed).',
    }),
    events: t.field({ type: [WebhookEventEnum], required: true }),
    description: t.string(),
    enabled: t.boolean({ defaultValue: true }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'Fields left out keep their value.',
  fields: (t) => ({ name: t.string(), url: t.string(), events: t.field({ type: [WebhookEventEnum] }), description: t.string(), enabled: t.boolean() }),
});

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    ...adminOnly,
    type: WebhookEndpointWithSecretRef,
    description: `At most ${MAX_WEBHOOK_ENDPOINTS} endpoints.`,
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    errors: { types: errorTypes(ValidationError, ConflictError), dataField: { name: 'issued' } },
    resolve: (_parent, { input }, ctx) => createWebhookEndpoint(ctx, input),
  }),
  updateWebhookEndpoint: t.field({
    ...adminOnly,
    type: WebhookEndpointRef,
    args: { id: t.arg.globalID({ required: true }), input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    errors: { types: errorTypes(ValidationError, ConflictError, NotFoundError), dataField: { name: 'endpoint' } },
    resolve: (_parent, { id, input }, ctx) => updateWebhookEndpoint(ctx, expectType(id, 'WebhookEndpoint'), input),
  }),
  deleteWebhookEndpoint: t.field({
    ...adminOnly,
    type: WebhookEndpointRef,
    description: 'Deletes the endpoint with its delivery log; deliveries not yet sent are dropped.',
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: errorTypes(NotFoundError, ValidationError), dataField: { name: 'endpoint' } },
    resolve: (_parent, { id }, ctx) => deleteWebhookEndpoint(ctx, expectType(id, 'WebhookEndpoint')),
  }),
  rotateWebhookSecret: t.field({
    ...adminOnly,
    type: WebhookEndpointWithSecretRef,
    description: 'A new signing secret, used from the next attempt on. The old one keeps signing too (two v1 signatures) for `overlapSeconds`; 0: it stops at once.',
    args: {
      id: t.arg.globalID({ required: true }),
      overlapSeconds: t.arg.int({ defaultValue: 0, description: `At most ${MAX_SECRET_OVERLAP_SECONDS} (7 days).` }),
    },
    errors: { types: errorTypes(NotFoundError, ValidationError, ConflictError), dataField: { name: 'issued' } },
    resolve: (_parent, { id, overlapSeconds }, ctx) => rotateWebhookSecret(ctx, expectType(id, 'WebhookEndpoint'), overlapSeconds ?? 0),
  }),
  resendWebhookDelivery: t.field({
    ...adminOnly,
    type: WebhookDeliveryRef,
    description: 'Sends a delivery again now, with the same webhook-id and body, and a fresh set of attempts.',
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: errorTypes(NotFoundError, InvalidStateError, ValidationError), dataField: { name: 'delivery' } },
    resolve: (_parent, { id }, ctx) => resendWebhookDelivery(ctx, expectType(id, 'WebhookDelivery')),
  }),
  pingWebhookEndpoint: t.field({
    ...adminOnly,
    type: WebhookDeliveryRef,
    description: 'Sends a PING (one attempt) to check the URL and the receiver\'s signature check; follow it in the delivery log.',
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: errorTypes(NotFoundError, InvalidStateError, ValidationError), dataField: { name: 'delivery' } },
    resolve: (_parent, { id }, ctx) => pingWebhookEndpoint(ctx, expectType(id, 'WebhookEndpoint')),
  }),
}));
