import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  /** The request's path (a TMF hub's events come to /listener/<eventName> under its callback). */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
  /** The status this request was answered with. */
  answeredWith: number;
}

/**
 * A real HTTP receiver on loopback. `answers` are the statuses of the next requests in order
 * (then `fallback`); every request is kept.
 */
export async function startWebhookReceiver(options: { answers?: number[]; fallback?: number } = {}) {
  const received: ReceivedWebhook[] = [];
  const answers = [...(options.answers ?? [])];
  let fallback = options.fallback ?? 200;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = answers.shift() ?? fallback;
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now(), answeredWith: status });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `receiver says no (${status})`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** Parsed bodies of the requests for one event type. */
    ofType: (type: string) => received.filter((request) => (JSON.parse(request.body) as { type: string }).type === type),
    answerFromNowOn(status: number) {
      answers.length = 0;
      fallback = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/**
 * What the README shows a receiver: verify a Standard Webhooks signature with node:crypto alone
 * and refuse old timestamps (replays).
 */
export function verifyWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string, toleranceSeconds = 300): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64'));
  return String(headers['webhook-signature'])
    .split(' ')
    .some((candidate) => {
      const [version, signature = ''] = candidate.split(',');
      return version === 'v1' && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected);
    });
}
