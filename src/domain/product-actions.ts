import { z } from 'zod';
import type { Prisma } from '#generated/prisma/client.ts';
import { ServiceStatus, type RunStatus } from '#generated/prisma/enums.ts';
import { ValidationError, issuesFromZod, type FieldIssue } from './errors.ts';
import { parseVariableSchema, type VariableSchema } from './variables.ts';

/** Something that can be done to a provisioned service, as its product declares it. */
export interface ProductAction {
  name: string;
  description: string;
  /** File under the playbooks directory. */
  playbook: string;
  /** Variables a request sets, validated like a provision's. */
  variableSchema: VariableSchema;
  /** Service states it may start from. */
  from: ServiceStatus[];
  /** The service's state once it succeeded; null: unchanged. */
  to: ServiceStatus | null;
  /** Whether partners may run it (on their own services of a granted product). */
  partners: boolean;
}

// States an action may lead to: a running provision or deprovision, or the end of a service, is
// not an action's to decide.
const SETTLED = ['ACTIVE', 'SUSPENDED'] as const satisfies readonly ServiceStatus[];

export const actionShape = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'an action name is a lowercase letter, then lowercase letters, digits and dashes (up to 40)'),
  description: z.string().max(2_000).optional().default(''),
  playbook: z.string(),
  variableSchema: z.unknown().optional(),
  from: z.array(z.enum(ServiceStatus)).min(1).optional().default(['ACTIVE']),
  to: z.enum(SETTLED).nullish().transform((v) => v ?? null),
  partners: z.boolean().optional().default(false),
});

/** The product's actions, checked one by one (shape, schema, unique names); playbooks are the caller's to resolve. */
/** `positions`: where each valid action stands in the given list, for the paths of later issues. */
export function parseActions(value: unknown): { actions: ProductAction[]; positions: number[]; issues: FieldIssue[] } {
  const list = z.array(z.unknown()).max(30).safeParse(value ?? []);
  if (!list.success) return { actions: [], positions: [], issues: issuesFromZod(list.error.issues, 'actions') };
  const issues: FieldIssue[] = [];
  const actions: ProductAction[] = [];
  const positions: number[] = [];
  list.data.forEach((raw, index) => {
    const parsed = actionShape.safeParse(raw);
    if (!parsed.success) {
      issues.push(...issuesFromZod(parsed.error.issues, `actions.${index}`));
      return;
    }
    let variableSchema: VariableSchema = { type: 'object', properties: {}, required: [] };
    try {
      variableSchema = parseVariableSchema(parsed.data.variableSchema);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, path: `actions.${index}.${issue.path}` })));
    }
    for (const [name, property] of Object.entries(variableSchema.properties)) {
      // Product defaults are sealed at rest; an action's schema is not: a secret default would be stored in clear.
      if (property.secret && property.default !== undefined) issues.push({ path: `actions.${index}.variableSchema.properties.${name}.default`, message: 'a secret action variable takes no default' });
    }
    actions.push({ ...parsed.data, variableSchema });
    positions.push(index);
  });
  const names = list.data.map((raw) => (raw as { name?: unknown } | null)?.name);
  for (const name of new Set(names.filter((name, index) => typeof name === 'string' && names.indexOf(name) !== index))) issues.push({ path: 'actions', message: `action "${String(name)}" is declared twice` });
  return { actions, positions, issues };
}

export function productActions(value: Prisma.JsonValue): ProductAction[] {
  return (value ?? []) as unknown as ProductAction[];
}


/** What an action run's end means for its service. */
export interface ActionTransition {
  service: ServiceStatus;
  /** Variables the service now has (the product's variables the action set). */
  variables?: Record<string, unknown>;
}

/**
 * An action that succeeded moves the service to its `to` state and records the product
 * variables it set; rolled back by its rescue (or never started), it leaves the service as it
 * was; any other end leaves nobody knowing the element's state.
 */
export function actionTransition(
  action: ProductAction | undefined,
  service: { status: ServiceStatus; variables: Record<string, unknown> },
  verdict: { status: RunStatus; neverStarted?: boolean | undefined },
  outcome: { actionVariables: Record<string, unknown>; productVariables: ReadonlySet<string> },
): ActionTransition {
  if (verdict.status === 'SUCCEEDED' && action) {
    const changed = Object.fromEntries(Object.entries(outcome.actionVariables).filter(([name]) => outcome.productVariables.has(name)));
    return { service: action.to ?? service.status, variables: { ...service.variables, ...changed } };
  }
  if (verdict.status === 'ROLLED_BACK' || verdict.neverStarted) return { service: service.status };
  return { service: 'NEEDS_ATTENTION' };
}
