import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Deliveries follow the Standard Webhooks scheme, so receivers can verify them with its libraries
 * (any language) or in a few lines: `webhook-signature` is `v1,` + base64 HMAC-SHA256, keyed with
 * the base64-decoded secret after `whsec_`, over `<webhook-id>.<webhook-timestamp>.<body>`.
 * Every attempt is signed anew, so its timestamp is fresh and a receiver can reject old ones.
 */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** Headers of one attempt, signed with each of `secrets` (two during a rotation's overlap). */
export function signedHeaders(secrets: readonly string[], delivery: { id: string; eventType: string }, at: Date, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Provisio-Webhooks/1',
    'webhook-id': delivery.id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(delivery.id, at, body)).join(' '),
    'provisio-event': delivery.eventType,
  };
}
