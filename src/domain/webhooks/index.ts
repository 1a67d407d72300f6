// The webhook subsystem's public surface: the outbox changes record notifications in, the
// dispatcher that sends them, endpoint management and the URL policy.
export { WebhookDispatcher, backoffMs, type DispatcherDeps } from './dispatcher.ts';
export {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  MAX_SECRET_OVERLAP_SECONDS,
  MAX_WEBHOOK_ENDPOINTS,
  pingWebhookEndpoint,
  resendWebhookDelivery,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type EndpointWithSecret,
  type WebhookDeps,
  type WebhookEndpointInput,
} from './endpoints.ts';
export { apiId, EVENT_TYPES, type Notification } from './events.ts';
export { hubQueryMatches, type HubEvent } from './hub-events.ts';
export { createHub, deleteHub, findHub, MAX_HUBS_PER_OWNER, type HubInput } from './hubs.ts';
export { WebhookOutbox, type ScheduledDelivery, type WebhookSettings } from './outbox.ts';
export { webhookUrlProblem, type WebhookUrlPolicy } from './url-policy.ts';
