// A minimal GraphQL-over-HTTP client (POST, JSON), as partners would call the API.
import { randomBytes } from 'node:crypto';

/**
 * The admin key of the servers this bench process starts (given as PROVISIO_ADMIN_KEY by
 * spawnServer); every request and subscription of the benches authenticates with it.
 */
export const BENCH_ADMIN_KEY = `bench-admin-${randomBytes(24).toString('base64url')}`;
export const benchAuthorization = { authorization: `Bearer ${BENCH_ADMIN_KEY}` } as const;

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string }>;
}

/** POSTs a query; throws on HTTP or GraphQL errors, returns data. */
export async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...benchAuthorization },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<T>;
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors (HTTP ${response.status}): ${JSON.stringify(body.errors)}`);
  return body.data;
}

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'CANCELED', 'TIMED_OUT', 'INTERRUPTED']);

export const CREATE_PRODUCT = /* GraphQL */ `
  mutation BenchCreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      __typename
      ... on CreateProductSuccess { product { id slug } }
      ... on Error { message }
      ... on ValidationError { issues { path message } }
    }
  }
`;

export const PROVISION = /* GraphQL */ `
  mutation BenchProvision($input: ProvisionServiceInput!) {
    provisionService(input: $input) {
      __typename
      ... on ProvisionServiceSuccess { started { service { id } run { id status } } }
      ... on Error { message }
    }
  }
`;

export const RUN_STATUS = /* GraphQL */ `
  query BenchRunStatus($id: ID!) {
    run(id: $id) { id status statusReason lastSeq queuedAt startedAt finishedAt }
  }
`;

export interface RunStatus {
  id: string;
  status: string;
  statusReason: string | null;
  lastSeq: number;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export async function createProduct(url: string, input: Record<string, unknown>): Promise<string> {
  const data = await gql<{ createProduct: { __typename: string; product?: { id: string }; message?: string; issues?: unknown } }>(url, CREATE_PRODUCT, { input });
  if (data.createProduct.__typename !== 'CreateProductSuccess' || !data.createProduct.product) {
    throw new Error(`createProduct failed: ${JSON.stringify(data.createProduct)}`);
  }
  return data.createProduct.product.id;
}

export async function provision(url: string, input: Record<string, unknown>): Promise<{ runId: string; serviceId: string | null }> {
  const data = await gql<{
    provisionService: { __typename: string; message?: string; started?: { service: { id: string } | null; run: { id: string } } };
  }>(url, PROVISION, { input });
  const started = data.provisionService.started;
  if (data.provisionService.__typename !== 'ProvisionServiceSuccess' || !started) {
    throw new Error(`provisionService failed: ${JSON.stringify(data.provisionService)}`);
  }
  return { runId: started.run.id, serviceId: started.service?.id ?? null };
}

export async function runStatus(url: string, id: string): Promise<RunStatus> {
  const data = await gql<{ run: RunStatus | null }>(url, RUN_STATUS, { id });
  if (!data.run) throw new Error(`run ${id} not found`);
  return data.run;
}

/** Polls run(id) every `intervalMs` until it is terminal; resolves with it and performance.now() when seen. */
export async function waitTerminal(url: string, id: string, options: { intervalMs?: number; timeoutMs?: number } = {}): Promise<{ run: RunStatus; at: number }> {
  const intervalMs = options.intervalMs ?? 20;
  const deadline = performance.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    const run = await runStatus(url, id);
    if (TERMINAL_STATUSES.has(run.status)) return { run, at: performance.now() };
    if (performance.now() > deadline) throw new Error(`run ${id} still ${run.status} after ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
