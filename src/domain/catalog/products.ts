import { z } from 'zod';
import type { Prisma, PrismaClient, Product } from '#generated/prisma/client.ts';
import type { InventoryKind } from '#generated/prisma/enums.ts';
import { MAX_RUN_TIMEOUT_SECONDS } from '../limits.ts';
import { ConflictError, NotFoundError, ValidationError, issuesFromZod, type FieldIssue } from '../errors.ts';
import { CREDENTIALS_VARIABLE, isHostPattern } from '../../runner/index.ts';
import { inventoryRequirementList, type InventoryRequirement, checkPoolAlerts } from '../inventory/index.ts';
import type { Logger } from '../../logger.ts';
import { DEFAULT_MIN_AUDIT_INTERVAL_SECONDS, scheduleIssues, storedSchedule } from './sync-schedule.ts';
import type { SyncAuditScheduler } from '../ports/sync-audits.ts';
import { recordProductChange, type CatalogEventFormat } from './events.ts';
import type { WebhookOutbox } from '../webhooks/index.ts';
import { parseActions, productActions, type ProductAction } from './product-actions.ts';
import { resolvePlaybook } from './playbooks.ts';
import { isNewRevision, revisionData } from './revisions.ts';
import { openProductSecrets, sealProductSecrets, type SecretBox } from '../secrets/index.ts';
import { parseVariableSchema, SECRET_MASK, secretMaskIssues, validateVariables, type VariableSchema } from './variables.ts';


export interface ProductInput {
  slug: string;
  name: string;
  description?: string | null | undefined;
  provisionPlaybook: string;
  deprovisionPlaybook: string;
  defaultVariables?: Record<string, unknown> | null | undefined;
  variableSchema?: unknown;
  inventoryRequirements?: Array<{ kind: InventoryKind; count?: number | null | undefined; match?: unknown }> | null | undefined;
  runTimeoutSeconds?: number | null | undefined;
  maxConcurrentRuns?: number | null | undefined;
  /** Name of the target its playbooks run against; null: localhost. */
  target?: string | null | undefined;
  /** Host pattern within the target (Ansible's --limit). */
  targetHosts?: string | null | undefined;
  checkReachability?: boolean | null | undefined;
  /** Names of the credentials its runs get. */
  credentials?: string[] | null | undefined;
  /** What can be done to its services after provisioning (suspend, top-up, …). */
  actions?: unknown;
  /** Alert (POOL_LOW) when its pool can provision fewer services than this; null: no alert. */
  poolAlertBelow?: number | null | undefined;
  /** When its services are checked against the network by themselves; null: never. */
  syncCheckSchedule?: { cron: string; timeZone?: string | null | undefined } | null | undefined;
}

export type ProductPatch = Partial<ProductInput>;

export interface PlaybookChecker {
  /** Resolves to an error message when Ansible cannot parse the playbook. */
  syntaxCheck(playbookPath: string): Promise<{ ok: true } | { ok: false; message: string }>;
}

export interface ProductDeps {
  prisma: PrismaClient;
  playbooksDir: string;
  playbookChecker?: PlaybookChecker | undefined;
  secrets: SecretBox;
  webhooks: WebhookOutbox;
  logger: Logger;
  /** How product changes read to the catalog's hubs (TMF633); set by the API. */
  catalogEvents?: CatalogEventFormat | undefined;
  /** Keeps the products' sync audits at their times; unset: schedules are stored, not run. */
  syncAudits?: SyncAuditScheduler | undefined;
  /** The shortest time between two audits a schedule may ask (default DEFAULT_MIN_AUDIT_INTERVAL_SECONDS). */
  minAuditIntervalSeconds?: number | undefined;
}

const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'slug must be lowercase letters, digits and dashes (1 to 64), not starting or ending with a dash');

const productShape = z.object({
  slug,
  name: z.string().trim().min(1, 'name is required').max(200),
  description: z.string().max(10_000).nullish().transform((v) => v ?? ''),
  provisionPlaybook: z.string(),
  deprovisionPlaybook: z.string(),
  defaultVariables: z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? {}),
  // Parsed on its own by parseVariableSchema, which reports its issues with their paths.
  variableSchema: z.unknown().optional(),
  inventoryRequirements: inventoryRequirementList.nullish().transform((v) => v ?? []),
  runTimeoutSeconds: z.number().int().min(1).max(MAX_RUN_TIMEOUT_SECONDS).nullish().transform((v) => v ?? null),
  maxConcurrentRuns: z.number().int().min(1).max(1000).nullish().transform((v) => v ?? null),
  target: z.string().nullish().transform((v) => v ?? null),
  targetHosts: z.string().refine(isHostPattern, 'targetHosts must be an Ansible host pattern (names, groups, wildcards, ":" or "," between them, ":&" and ":!")').nullish().transform((v) => v ?? null),
  checkReachability: z.boolean().nullish().transform((v) => v ?? false),
  poolAlertBelow: z.number().int().min(1).max(1_000_000).nullish().transform((v) => v ?? null),
  syncCheckSchedule: z
    .object({ cron: z.string().trim().min(1).max(200), timeZone: z.string().max(100).nullish().transform((v) => v || 'UTC') })
    .nullish()
    .transform((v) => v ?? null),
  credentials: z.array(z.string()).max(20).nullish().transform((v) => [...new Set(v ?? [])]),
  // Parsed on its own by parseActions, which reports its issues with their paths.
  actions: z.unknown().optional(),
});

type ValidProduct = Omit<z.output<typeof productShape>, 'target' | 'credentials' | 'actions'> & { variableSchema: VariableSchema; targetId: string | null; credentialIds: string[]; actions: ProductAction[] };

/** Validates a whole product definition (used for create and for the result of an update). */
async function validateProduct(deps: ProductDeps, input: ProductInput, unchangedPlaybooks: ReadonlySet<string> = new Set(), unchangedActions: readonly ProductAction[] = []): Promise<ValidProduct> {
  const parsed = productShape.safeParse(input);
  const issues: FieldIssue[] = parsed.success ? [] : issuesFromZod(parsed.error.issues);
  let variableSchema: VariableSchema | undefined;
  try {
    variableSchema = parseVariableSchema(input.variableSchema);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
  }
  issues.push(...secretMaskIssues(input.variableSchema, (input.defaultVariables ?? {}) as Record<string, unknown>, 'defaultVariables'));
  if (variableSchema && parsed.success) {
    try {
      validateVariables(variableSchema, parsed.data.defaultVariables, 'defaultVariables', { partial: true });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  // Both playbooks are checked side by side: each syntax check starts an ansible-playbook.
  const playbookIssues = await Promise.all(
    (['provisionPlaybook', 'deprovisionPlaybook'] as const).map(async (field): Promise<FieldIssue | undefined> => {
      const name = input[field];
      if (typeof name !== 'string') return undefined;
      const resolved = await resolvePlaybook(deps.playbooksDir, name);
      if ('error' in resolved) return { path: field, message: resolved.error };
      // A playbook that did not change in an update was checked when it was set.
      const check = unchangedPlaybooks.has(field) ? undefined : await deps.playbookChecker?.syntaxCheck(resolved.path);
      return check && !check.ok ? { path: field, message: `ansible-playbook --syntax-check failed: ${check.message}` } : undefined;
    }),
  );
  issues.push(...playbookIssues.filter((issue) => issue !== undefined));
  const { actions, positions, issues: actionIssues } = parseActions(input.actions);
  issues.push(...actionIssues);
  const previousActions = new Map([...unchangedActions].map((action) => [action.name, action.playbook]));
  const actionPlaybookIssues = await Promise.all(
    actions.map(async (action, i): Promise<FieldIssue | undefined> => {
      const index = positions[i];
      const resolved = await resolvePlaybook(deps.playbooksDir, action.playbook);
      if ('error' in resolved) return { path: `actions.${index}.playbook`, message: resolved.error };
      const check = previousActions.get(action.name) === action.playbook ? undefined : await deps.playbookChecker?.syntaxCheck(resolved.path);
      return check && !check.ok ? { path: `actions.${index}.playbook`, message: `ansible-playbook --syntax-check failed: ${check.message}` } : undefined;
    }),
  );
  issues.push(...actionPlaybookIssues.filter((issue) => issue !== undefined));
  if (parsed.success && parsed.data.syncCheckSchedule) {
    issues.push(...scheduleIssues(parsed.data.syncCheckSchedule, 'syncCheckSchedule', deps.minAuditIntervalSeconds ?? DEFAULT_MIN_AUDIT_INTERVAL_SECONDS));
  }
  const access = parsed.success ? await resolveAccess(deps.prisma, parsed.data, variableSchema) : { issues: [], targetId: null, credentialIds: [] };
  issues.push(...access.issues);
  if (issues.length > 0 || !parsed.success || !variableSchema) throw new ValidationError(issues);
  const { target: _target, credentials: _credentials, actions: _actions, ...product } = parsed.data;
  return { ...product, variableSchema, targetId: access.targetId, credentialIds: access.credentialIds, actions };
}

/** The product's target and credentials by name, checked. */
async function resolveAccess(prisma: PrismaClient, product: z.output<typeof productShape>, schema: VariableSchema | undefined) {
  const issues: FieldIssue[] = [];
  const target = product.target === null ? null : await prisma.target.findUnique({ where: { name: product.target }, select: { id: true } });
  if (product.target !== null && !target) issues.push({ path: 'target', message: `no target is named "${product.target}"` });
  if (product.targetHosts !== null && product.target === null) issues.push({ path: 'targetHosts', message: 'targetHosts narrows a target: name the target too' });
  if (product.checkReachability && product.target === null) issues.push({ path: 'checkReachability', message: 'the reachability check pings a target\'s hosts: name the target too' });
  const credentials = await prisma.credential.findMany({ where: { name: { in: product.credentials } }, select: { id: true, name: true, kind: true } });
  for (const missing of product.credentials.filter((name) => !credentials.some((c) => c.name === name))) issues.push({ path: 'credentials', message: `no credential is named "${missing}"` });
  if (credentials.filter((c) => c.kind === 'SSH_KEY').length > 1) issues.push({ path: 'credentials', message: 'a product connects with one SSH key' });
  if (schema?.properties[CREDENTIALS_VARIABLE]) issues.push({ path: 'variableSchema', message: `"${CREDENTIALS_VARIABLE}" is where playbooks find their credentials: choose another variable name` });
  return { issues, targetId: target?.id ?? null, credentialIds: credentials.map((c) => c.id) };
}

/** The row to write: secret defaults sealed (the credentials are rows of their own). */
function toData(secrets: SecretBox, valid: ValidProduct) {
  const { credentialIds: _credentials, syncCheckSchedule, ...product } = sealProductSecrets(secrets, valid);
  return {
    ...product,
    syncCheckCron: syncCheckSchedule?.cron ?? null,
    syncCheckTimeZone: syncCheckSchedule?.timeZone ?? null,
    defaultVariables: product.defaultVariables as Prisma.InputJsonObject,
    variableSchema: product.variableSchema as unknown as Prisma.InputJsonObject,
    inventoryRequirements: product.inventoryRequirements as unknown as Prisma.InputJsonArray,
    actions: product.actions as unknown as Prisma.InputJsonArray,
  };
}

export async function createProduct(deps: ProductDeps, input: ProductInput): Promise<Product> {
  const product = await validateProduct(deps, input);
  let created: Product;
  try {
    const written = await deps.prisma.$transaction(async (tx) => {
      const row = await tx.product.create({
        data: { ...toData(deps.secrets, product), credentials: { create: product.credentialIds.map((credentialId) => ({ credentialId })) } },
      });
      await tx.productRevision.create({ data: revisionData(row) });
      return { row, deliveries: await recordProductChange(tx, deps, { kind: 'productCreated', product: row }) };
    });
    created = written.row;
    await deps.webhooks.schedule(written.deliveries);
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw new ConflictError(`a product with slug "${product.slug}" already exists`);
    throw error;
  }
  await checkProductPool(deps, created.id);
  await followSchedule(deps, created);
  return created;
}

/** The product's audit schedule, as the scheduler keeps it (an archived product has none). */
async function followSchedule(deps: ProductDeps, product: Product): Promise<void> {
  await deps.syncAudits?.set(product.id, product.archivedAt ? null : storedSchedule(product));
}

/** A product's pool alert follows its threshold as soon as it is set. */
async function checkProductPool(deps: ProductDeps, productId: string): Promise<void> {
  await checkPoolAlerts(deps, { productId }).catch((error: unknown) => deps.logger.warn({ err: error, productId }, 'checking the pool alert failed'));
}

/** How often a patch is merged again onto a product that changed while it was being validated. */
const UPDATE_ATTEMPTS = 5;

/**
 * Applies a patch: the fields it sets, over the product as it is when written. The write is a
 * compare-and-set on `version`, so two concurrent updates never lose each other's fields: the
 * later one is merged again onto the earlier one's result. With `expectedVersion` (the version the
 * client read), a product changed since is a ConflictError instead.
 */
export async function updateProduct(deps: ProductDeps, id: string, patch: ProductPatch, expectedVersion?: number | null): Promise<Product> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.prisma.product.findUnique({ where: { id }, include: ACCESS_INCLUDE });
    if (!current) throw new NotFoundError('Product', id);
    if (expectedVersion !== undefined && expectedVersion !== null && expectedVersion !== current.version) {
      throw new ConflictError(`the product changed since version ${expectedVersion} (it is now at version ${current.version}): read it again and reapply your change`);
    }
    const stored = openProductSecrets(deps.secrets, fromRow(current));
    const merged: ProductInput = keepMaskedSecrets({ ...stored, ...definedOnly(patch) }, stored);
    const unchanged = new Set(
      (['provisionPlaybook', 'deprovisionPlaybook'] as const).filter((field) => merged[field] === current[field]),
    );
    const product = await validateProduct(deps, merged, unchanged, productActions(current.actions));
    // Its services keep the revision they were given; the product's changed playbooks or variables are the next one.
    const revised = isNewRevision(stored, product);
    let written: number;
    try {
      const result = await deps.prisma.$transaction(async (tx) => {
        const { count } = await tx.product.updateMany({
          where: { id, version: current.version },
          data: { ...toData(deps.secrets, product), version: { increment: 1 }, ...(revised ? { revision: { increment: 1 } } : {}) },
        });
        if (count === 0) return { count, deliveries: [] };
        await tx.productCredential.deleteMany({ where: { productId: id } });
        await tx.productCredential.createMany({ data: product.credentialIds.map((credentialId) => ({ productId: id, credentialId })) });
        const row = await tx.product.findUniqueOrThrow({ where: { id } });
        if (revised) await tx.productRevision.create({ data: revisionData(row) });
        return { count, deliveries: await recordProductChange(tx, deps, { kind: 'productChanged', product: row }) };
      });
      written = result.count;
      await deps.webhooks.schedule(result.deliveries);
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') throw new ConflictError(`a product with slug "${product.slug}" already exists`);
      throw error;
    }
    if (written === 1) {
      await checkProductPool(deps, id);
      const updated = await deps.prisma.product.findUniqueOrThrow({ where: { id } });
      await followSchedule(deps, updated);
      return updated;
    }
    if (expectedVersion !== undefined && expectedVersion !== null) {
      throw new ConflictError(`the product changed since version ${expectedVersion}: read it again and reapply your change`);
    }
    if (attempt === UPDATE_ATTEMPTS) throw new ConflictError('the product keeps changing under this update; try again');
  }
}

/**
 * A read-modify-write sends back the masks the API showed for secret defaults: where the stored
 * product has the secret, the mask means "keep it". Masks left over are refused by validation.
 */
function keepMaskedSecrets(merged: ProductInput, stored: ProductInput): ProductInput {
  const storedSchema = stored.variableSchema as VariableSchema;
  const storedDefaults = (stored.defaultVariables ?? {}) as Record<string, unknown>;
  const schema = structuredClone(merged.variableSchema) as { properties?: Record<string, { secret?: unknown; default?: unknown }> } | undefined;
  const defaults = { ...((merged.defaultVariables ?? {}) as Record<string, unknown>) };
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    if (property?.secret !== true) continue;
    const storedProperty = storedSchema.properties[name];
    if (property.default === SECRET_MASK && storedProperty?.secret && storedProperty.default !== undefined) property.default = storedProperty.default;
    if (defaults[name] === SECRET_MASK && name in storedDefaults) defaults[name] = storedDefaults[name];
  }
  return { ...merged, variableSchema: schema, defaultVariables: defaults };
}

/** Archived products keep their services but accept no new provisions. Archiving twice is harmless. */
export async function archiveProduct(deps: ProductDeps, id: string): Promise<Product> {
  const current = await deps.prisma.product.findUnique({ where: { id } });
  if (!current) throw new NotFoundError('Product', id);
  if (current.archivedAt) return current;
  const { archived, deliveries } = await deps.prisma.$transaction(async (tx) => {
    const archived = await tx.product.update({ where: { id }, data: { archivedAt: new Date(), version: { increment: 1 } } });
    return { archived, deliveries: await recordProductChange(tx, deps, { kind: 'productChanged', product: archived }) };
  });
  await deps.webhooks.schedule(deliveries);
  await followSchedule(deps, archived);
  return archived;
}

/** Reads a stored product's JSON columns back into their types. */
export function productDefinition(product: Product): { variableSchema: VariableSchema; defaultVariables: Record<string, unknown>; inventoryRequirements: InventoryRequirement[] } {
  return {
    variableSchema: product.variableSchema as unknown as VariableSchema,
    defaultVariables: (product.defaultVariables ?? {}) as Record<string, unknown>,
    inventoryRequirements: (product.inventoryRequirements ?? []) as unknown as InventoryRequirement[],
  };
}

const ACCESS_INCLUDE = { target: { select: { name: true } }, credentials: { select: { credential: { select: { name: true } } } } } as const;

function fromRow(product: Product & { target: { name: string } | null; credentials: Array<{ credential: { name: string } }> }): ProductInput & ReturnType<typeof productDefinition> {
  const definition = productDefinition(product);
  return {
    slug: product.slug,
    name: product.name,
    description: product.description,
    provisionPlaybook: product.provisionPlaybook,
    deprovisionPlaybook: product.deprovisionPlaybook,
    defaultVariables: definition.defaultVariables,
    variableSchema: definition.variableSchema,
    inventoryRequirements: definition.inventoryRequirements,
    runTimeoutSeconds: product.runTimeoutSeconds,
    maxConcurrentRuns: product.maxConcurrentRuns,
    target: product.target?.name ?? null,
    targetHosts: product.targetHosts,
    checkReachability: product.checkReachability,
    poolAlertBelow: product.poolAlertBelow,
    syncCheckSchedule: storedSchedule(product),
    credentials: product.credentials.map((grant) => grant.credential.name),
    actions: productActions(product.actions),
  };
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
