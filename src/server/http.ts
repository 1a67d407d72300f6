import http from 'node:http';
import type { Logger } from '../logger.ts';
import { bodyTooLargeMessage, CUT_OFF_FACTOR } from './body-limit.ts';
import { serveConsole } from './console.ts';
import type { ProvisioYoga } from './yoga.ts';

export interface HttpOptions {
  yoga: ProvisioYoga;
  /** The TM Forum Open APIs under /tmf-api/ (a Node request listener). */
  tmf: http.RequestListener;
  logger: Logger;
  maxRequestBytes: number;
}

/** The one HTTP port: /graphql (HTTP, SSE; WebSocket upgrades are attached beside it), Yoga's /healthz and /readyz, the TMF APIs at /tmf-api/, and the console at /console/. */
export function createHttpServer(options: HttpOptions) {
  const { yoga, tmf, logger, maxRequestBytes } = options;
  // SSE responses never end on their own: remember them so shutdown can close them.
  const streams = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      logger.debug({ method: req.method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
    if (Number(req.headers['content-length'] ?? 0) > maxRequestBytes) {
      // Answer once the client has finished sending, so it reads the 413 instead of a reset
      // connection; a client that keeps sending far beyond the limit is cut off. A body without
      // Content-Length (chunked) is counted as it streams (useChunkedBodyLimit).
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > CUT_OFF_FACTOR * maxRequestBytes) req.socket.destroy();
      });
      req.on('end', () => {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        const message = bodyTooLargeMessage(maxRequestBytes);
        // Each transport's own error shape: TMF630's Error body under /tmf-api/, GraphQL's elsewhere.
        res.end(JSON.stringify(req.url?.startsWith('/tmf-api/')
          ? { code: 'REQUEST_ENTITY_TOO_LARGE', reason: 'Payload too large', message, status: '413', '@type': 'Error' }
          : { errors: [{ message, extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } }] }));
      });
      return;
    }
    if (serveConsole(req, res)) return;
    if (req.url?.startsWith('/tmf-api/')) {
      void tmf(req, res);
      return;
    }
    if (req.headers.accept?.includes('text/event-stream')) {
      streams.add(res);
      res.on('close', () => streams.delete(res));
    }
    void yoga.requestListener(req, res);
  });
  return {
    server,
    /** Stops accepting, ends SSE streams, and waits for requests in flight (up to `graceMs`). */
    async close(graceMs: number): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const stream of streams) stream.end();
      const grace = setTimeout(() => server.closeAllConnections(), graceMs);
      await (server.listening ? closed : Promise.resolve());
      clearTimeout(grace);
    },
  };
}
