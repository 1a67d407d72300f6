import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { admit } from '../server/authentication.ts';
import { TMF_BASE, type TmfDeps, type TmfEnv } from './context.ts';
import { TmfError } from './errors.ts';
import { serviceCatalogRoutes } from './service-catalog.ts';
import { serviceInventoryRoutes } from './service-inventory.ts';
import { serviceOrderingRoutes } from './service-ordering.ts';
import { cancelServiceOrderRoutes } from './cancel-service-order.ts';
import { hubRoutes } from './hubs.ts';
import { BASE_PATHS, openApiDocument } from './openapi.ts';

function errorResponse(c: Context, error: TmfError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(error.body(), error.status as ContentfulStatusCode);
}

/**
 * The TM Forum Open APIs, a REST transport beside GraphQL over the same domain: the same API
 * keys, partner scoping and rate limits (admit), the TMF630 `Error` body on every refusal.
 */
export function createTmfApp(deps: TmfDeps): Hono<TmfEnv> {
  const app = new Hono<TmfEnv>().basePath(TMF_BASE);
  app.onError((error, c) => {
    if (error instanceof TmfError) return errorResponse(c, error);
    deps.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'TMF request failed');
    return errorResponse(c, new TmfError(500, 'INTERNAL', 'Internal error', 'the server failed to answer; the error is in its log'));
  });
  app.notFound((c) => errorResponse(c, new TmfError(404, 'NOT_FOUND', 'Not found', `no resource at ${c.req.method} ${c.req.path}`)));
  app.use('*', async (c, next) => {
    const admission = await admit(deps.gate, c.req.header('authorization'));
    if (!admission.ok) {
      const headers: Record<string, string> = admission.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="provisio"' } : {};
      if (admission.retryAfterSeconds) headers['Retry-After'] = String(admission.retryAfterSeconds);
      throw new TmfError(admission.status, admission.code, admission.status === 401 ? 'Unauthorized' : admission.status === 429 ? 'Too many requests' : 'Service unavailable', admission.message, headers);
    }
    c.set('viewer', admission.viewer);
    await next();
  });
  for (const [api, basePath] of Object.entries(BASE_PATHS) as Array<[keyof typeof BASE_PATHS, string]>) {
    // Built on first request, then kept: the document never changes while the server runs.
    let document: object | undefined;
    app.get(`${basePath.slice(TMF_BASE.length)}/openapi.json`, (c) => c.json((document ??= openApiDocument(api))));
  }
  app.route('/serviceCatalogManagement/v4', serviceCatalogRoutes(deps));
  app.route('/serviceInventory/v4', serviceInventoryRoutes(deps));
  app.route('/serviceOrdering/v4', serviceOrderingRoutes(deps));
  app.route('/serviceOrdering/v4', cancelServiceOrderRoutes(deps));
  app.route('/serviceOrdering/v4', hubRoutes(deps, 'serviceOrdering'));
  app.route('/serviceInventory/v4', hubRoutes(deps, 'serviceInventory'));
  app.route('/serviceCatalogManagement/v4', hubRoutes(deps, 'serviceCatalog'));
  return app;
}
