import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../../domain/ports/webhooks.ts';
import { addressProblem, hostOf, webhookUrlProblem, type WebhookUrlPolicy } from '../../domain/webhooks/url-policy.ts';

/** Enough of a receiver's answer to say what went wrong in the delivery log. */
const MAX_RESPONSE_BYTES = 1024;

/**
 * POSTs webhooks with node:http(s) rather than fetch: its `lookup` hook checks every address the
 * host resolves to at connect time, so a name cannot pass validation and then resolve to an
 * internal address (DNS rebinding). Keep-alive agents reuse connections to busy receivers.
 */
export function createHttpWebhookSender(options: { policy: WebhookUrlPolicy; timeoutMs: number }): WebhookSender {
  const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 8 }), https: new https.Agent({ keepAlive: true, maxSockets: 8 }) };
  return {
    send: (request) => send(request, options, agents),
  };
}

function send(request: WebhookRequest, options: { policy: WebhookUrlPolicy; timeoutMs: number }, agents: { http: http.Agent; https: https.Agent }): Promise<WebhookResponse> {
  // The policy may have changed since the endpoint was saved.
  const problem = webhookUrlProblem(request.url, options.policy);
  if (problem) return Promise.resolve({ error: `the URL is refused: ${problem}` });
  const url = new URL(request.url);
  const host = hostOf(url);
  const secure = url.protocol === 'https:';
  return new Promise((resolve) => {
    const outgoing = (secure ? https : http).request(url, {
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      lookup: guardedLookup(host, options.policy),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_BYTES) }));
      response.on('error', (error) => resolve({ error: describe(error, options.timeoutMs) }));
    });
    outgoing.on('error', (error) => resolve({ error: describe(error, options.timeoutMs) }));
    outgoing.end(request.body);
  });
}

function guardedLookup(host: string, policy: WebhookUrlPolicy): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    dns.lookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      const refused = list.map((entry) => addressProblem(entry.address, policy, host)).find(Boolean);
      if (refused) return callback(Object.assign(new Error(refused), { code: 'EADDRREFUSED' }), '', 0);
      if (lookupOptions.all) return callback(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}

function describe(error: Error, timeoutMs: number): string {
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
