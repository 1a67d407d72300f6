import type { Plugin } from 'graphql-yoga';
import { isStaff } from '../domain/access/viewer.ts';
import type { Metrics } from '../infra/metrics.ts';
import { admit, type Gatekeeper, type ServerContext } from './authentication.ts';

/**
 * GET /metrics in Prometheus's text format, for a key of the staff (a VIEWER key is the usual
 * choice for a scraper: `authorization` in Prometheus's scrape config). Partners get 403.
 */
export function useMetricsEndpoint(gate: Gatekeeper, metrics: () => Metrics): Plugin<Record<string, unknown>, ServerContext> {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics') return;
      return admit(gate, request.headers.get('authorization') ?? undefined).then(async (admission) => {
        const text = (status: number, body: string, headers: Record<string, string> = {}) =>
          endResponse(new fetchAPI.Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } }));
        if (!admission.ok) return text(admission.status, `${admission.message}\n`, admission.status === 401 ? { 'www-authenticate': 'Bearer realm="provisio"' } : {});
        if (!isStaff(admission.viewer)) return text(403, 'metrics are for ADMIN, OPERATOR and VIEWER keys\n');
        const { registry } = metrics();
        return text(200, await registry.metrics(), { 'content-type': registry.contentType });
      });
    },
  };
}

/** Counts live subscriptions by transport (graphql-ws puts the socket in the context; SSE does not). */
export function useSubscriptionGauge(metrics: () => Metrics): Plugin {
  return {
    onSubscribe({ args }) {
      const transport = (args.contextValue as { socket?: unknown }).socket ? 'ws' : 'sse';
      return {
        onSubscribeResult() {
          const ended = metrics().subscriptionOpened(transport);
          return { onEnd: ended };
        },
      };
    },
  };
}
