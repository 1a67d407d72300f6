import { Hono } from 'hono';
import type { WebhookEndpoint } from '#generated/prisma/client.ts';
import { recordAudit } from '../domain/access/audit.ts';
import { startTellingServices } from '../domain/services/index.ts';
import { createHub, deleteHub, findHub } from '../domain/webhooks/index.ts';
import type { TmfDeps, TmfEnv } from './context.ts';
import { hrefOf, TMF_BASE } from './context.ts';
import { BASE_PATHS } from './openapi.ts';
import { isUuid } from './ids.ts';
import { notFound, TmfError } from './errors.ts';
import { assertMayOrder, domainError, limitedBody, readJson } from './requests.ts';
import { assertMatchesSpec, type SPECS } from './validation.ts';

// TMF630 hubs: POST {api}/hub registers a listener for the API's events, DELETE {api}/hub/{id}
// removes it. The answer carries the hub's signing secret once (an extension: TMF's events are
// unsigned, Provisio's carry Standard Webhooks signatures beside the TMF body).

function tmfHub(base: string, api: keyof typeof SPECS, hub: WebhookEndpoint) {
  return { id: hub.id, href: hrefOf(base, `${BASE_PATHS[api].slice(TMF_BASE.length)}/hub/${hub.id}`), callback: hub.url, ...(hub.hubQuery ? { query: hub.hubQuery } : {}), '@type': 'EventSubscription' };
}

/** The hub routes of one API, validated by its own specification. */
export function hubRoutes(deps: TmfDeps, api: keyof typeof SPECS): Hono<TmfEnv> {
  const routes = new Hono<TmfEnv>();
  routes.post('/hub', limitedBody, async (c) => {
    const viewer = c.get('viewer');
    assertMayOrder(viewer);
    if (api === 'serviceCatalog' && viewer.partnerId) throw new TmfError(403, 'FORBIDDEN', 'Forbidden', 'catalog hubs are the operator\'s: a partner reads its granted specifications with GET serviceSpecification');
    const body = await readJson(c, ['application/json']);
    assertMatchesSpec(api, 'EventSubscriptionInput', body);
    const context = deps.services();
    const first = api === 'serviceInventory' && (await context.prisma.webhookEndpoint.count({ where: { hubApi: api } })) === 0;
    const { endpoint, secret } = await createHub(context, { api, callback: body['callback'] as string, query: body['query'] as string | undefined, partnerId: viewer.partnerId }).catch(domainError);
    // The first service hub hears of changes from now on, not of every service's history.
    if (first) await startTellingServices(context.prisma);
    await recordAudit(context.prisma, { viewer, operation: `tmf.${api}.registerHub`, operationName: null, arguments: { callback: endpoint.url, query: endpoint.hubQuery }, resultType: 'EventSubscription', resultId: endpoint.id });
    const document = tmfHub(new URL(c.req.url).origin, api, endpoint);
    c.header('Location', document.href);
    return c.json({ ...document, secret }, 201);
  });
  routes.get('/hub/:id', async (c) => {
    const id = c.req.param('id');
    if (!isUuid(id)) throw notFound('hub', id);
    const hub = await findHub(deps.services(), api, id, c.get('viewer').partnerId).catch(domainError);
    return c.json(tmfHub(new URL(c.req.url).origin, api, hub));
  });
  routes.delete('/hub/:id', async (c) => {
    const viewer = c.get('viewer');
    assertMayOrder(viewer);
    const id = c.req.param('id');
    if (!isUuid(id)) throw notFound('hub', id);
    const context = deps.services();
    await deleteHub(context, api, id, viewer.partnerId).catch(domainError);
    await recordAudit(context.prisma, { viewer, operation: `tmf.${api}.unregisterHub`, operationName: null, arguments: { id }, resultType: 'EventSubscription', resultId: id });
    return c.body(null, 204);
  });
  return routes;
}
