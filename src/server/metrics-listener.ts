import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Authenticator } from '../domain/access/api-keys.ts';
import { isStaff } from '../domain/access/viewer.ts';
import type { Metrics } from '../infra/metrics.ts';

/**
 * A worker's own port for GET /metrics (its runs and events are counted where they execute), with
 * the same rule as the API's: a staff key. Nothing else is served.
 */
export async function listenForMetrics(options: { host: string; port: number; authenticator: Authenticator; metrics: Metrics }): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only GET /metrics here\n');
        return;
      }
      const authentication = await options.authenticator.authenticate(req.headers.authorization);
      if (!authentication.ok) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="provisio"' }).end(`${authentication.reason}\n`);
        return;
      }
      if (!isStaff(authentication.viewer)) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics are for ADMIN, OPERATOR and VIEWER keys\n');
        return;
      }
      const { registry } = options.metrics;
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
