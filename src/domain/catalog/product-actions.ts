import { z } from 'zod';
import type { Prisma } from '#generated/prisma/client.ts';
import { InventoryKind, ServiceStatus, type InventoryStatus, type RunStatus } from '#generated/prisma/enums.ts';
import { ValidationError, issuesFromZod, type FieldIssue } from '../errors.ts';
import { inventoryRequirementList, type InventoryRequirement } from '../inventory/index.ts';
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
  /** Items it takes from the pool for the service, and items of the service it gives back. */
  inventory: ActionInventory;
}

export interface ActionInventory {
  /** Reserved when the action is requested; the service's once it succeeds. */
  reserve: InventoryRequirement[];
  /** Each names, through one of the action's variables, an item the service holds IN_USE. */
  release: InventoryRelease[];
}

export interface InventoryRelease {
  kind: InventoryKind;
  /** The action variable whose value is the item's identifier. */
  variable: string;
  /** Only items an earlier action added: the ones the service was provisioned with stay. */
  addedOnly: boolean;
}

const NO_INVENTORY: ActionInventory = { reserve: [], release: [] };

const releaseShape = z.strictObject({
  kind: z.enum(InventoryKind),
  variable: z.string(),
  addedOnly: z.boolean().optional().default(false),
});

const inventoryShape = z.strictObject({
  reserve: inventoryRequirementList.optional().default([]),
  release: z.array(releaseShape).max(10).optional().default([]),
});

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
  inventory: inventoryShape.nullish().transform((v) => v ?? NO_INVENTORY),
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
    let schemaValid = true;
    try {
      variableSchema = parseVariableSchema(parsed.data.variableSchema);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, path: `actions.${index}.${issue.path}` })));
      schemaValid = false;
    }
    for (const [name, property] of Object.entries(variableSchema.properties)) {
      // Product defaults are sealed at rest; an action's schema is not: a secret default would be stored in clear.
      if (property.secret && property.default !== undefined) issues.push({ path: `actions.${index}.variableSchema.properties.${name}.default`, message: 'a secret action variable takes no default' });
    }
    if (schemaValid) issues.push(...releaseIssues(parsed.data.inventory.release, variableSchema, `actions.${index}.inventory.release`));
    actions.push({ ...parsed.data, variableSchema });
    positions.push(index);
  });
  const names = list.data.map((raw) => (raw as { name?: unknown } | null)?.name);
  for (const name of new Set(names.filter((name, index) => typeof name === 'string' && names.indexOf(name) !== index))) issues.push({ path: 'actions', message: `action "${String(name)}" is declared twice` });
  return { actions, positions, issues };
}

/** A release names its item through a plain string variable of the action, each its own. */
function releaseIssues(releases: InventoryRelease[], schema: VariableSchema, path: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  releases.forEach((release, i) => {
    const property = schema.properties[release.variable];
    const at = `${path}.${i}.variable`;
    if (!property) issues.push({ path: at, message: `"${release.variable}" is not a variable of this action: declare it in the action's variableSchema (a string, the item's identifier)` });
    else if (property.type !== 'string' || property.secret) issues.push({ path: at, message: `"${release.variable}" holds an item's identifier: make it a string that is not secret` });
    if (releases.findIndex((other) => other.variable === release.variable) < i) issues.push({ path: at, message: `"${release.variable}" already names another released item` });
  });
  return issues;
}

export function productActions(value: Prisma.JsonValue): ProductAction[] {
  // Actions stored before inventory existed have none.
  return ((value ?? []) as unknown as ProductAction[]).map((action) => ({ ...action, inventory: action.inventory ?? NO_INVENTORY }));
}


/** What an action run's end means for its service. */
export interface ActionTransition {
  service: ServiceStatus;
  /** Where the items the run reserved go, and the items it was to release. */
  reserved: InventoryStatus;
  released: InventoryStatus;
  /** Variables the service now has (the product's variables the action set). */
  variables?: Record<string, unknown>;
}

/**
 * An action that succeeded moves the service to its `to` state, records the product variables it
 * set, and makes its reserved items the service's and its released ones the pool's; rolled back by
 * its rescue (or never started), it leaves the service and its items as they were; any other end
 * leaves nobody knowing the element's state.
 */
export function actionTransition(
  action: ProductAction | undefined,
  service: { status: ServiceStatus; variables: Record<string, unknown> },
  verdict: { status: RunStatus; neverStarted?: boolean | undefined },
  outcome: { actionVariables: Record<string, unknown>; productVariables: ReadonlySet<string> },
): ActionTransition {
  if (verdict.status === 'SUCCEEDED' && action) {
    const changed = Object.fromEntries(Object.entries(outcome.actionVariables).filter(([name]) => outcome.productVariables.has(name)));
    return { service: action.to ?? service.status, variables: { ...service.variables, ...changed }, reserved: 'IN_USE', released: 'AVAILABLE' };
  }
  // Put back as it was: the new items return to the pool, the ones to release stay the service's.
  if (verdict.status === 'ROLLED_BACK' || verdict.neverStarted) return { service: service.status, reserved: 'AVAILABLE', released: 'IN_USE' };
  // Nobody knows whether the element uses them: quarantined, as after a provision's failed rollback.
  return { service: 'NEEDS_ATTENTION', reserved: 'QUARANTINED', released: 'QUARANTINED' };
}
