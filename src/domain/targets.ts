import pLimit from 'p-limit';
import { z } from 'zod';
import type { Prisma, PrismaClient, Product, Target } from '#generated/prisma/client.ts';
import { groupHosts, inventoryProblems, InventoryError, parseInventoryText, selectHosts, unreachableHosts, type Inventory, type RunTarget } from '../runner/index.ts';
import type { RunLimit } from './ports/run-queue.ts';
import { runCredentials, type SecretBox } from './secrets/index.ts';
import { ConflictError, NotFoundError, TargetUnreachableError, ValidationError, issuesFromZod } from './errors.ts';

export interface TargetInput {
  name: string;
  description?: string | null | undefined;
  /** The inventory as data ({ vars, hosts, groups }), or… */
  inventory?: unknown;
  /** …as a standard Ansible inventory file (YAML or INI). */
  inventoryText?: string | null | undefined;
  knownHosts?: string | null | undefined;
  /** Runs at most at once per host or group: `{ "olt-1": 1, "olts": 4 }`. */
  limits?: unknown;
}

export type TargetPatch = { [K in keyof TargetInput]?: TargetInput[K] | null };

export interface TargetDeps {
  prisma: PrismaClient;
  /** The ansible-playbook executable (its ansible-inventory reads inventory files; the reachability check runs it); unset: on PATH. */
  ansiblePlaybook?: string | undefined;
}

const name = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'name must be lowercase letters, digits and dashes (1 to 64), not starting or ending with a dash');
const variables = z.record(z.string(), z.unknown());
const inventoryShape = z.strictObject({
  vars: variables.optional().default({}),
  hosts: z.record(z.string(), variables.nullable().transform((v) => v ?? {})).refine((hosts) => Object.keys(hosts).length <= 5_000, 'at most 5,000 hosts'),
  groups: z
    .record(z.string(), z.strictObject({ hosts: z.array(z.string()).default([]), children: z.array(z.string()).default([]), vars: variables.default({}) }))
    .optional()
    .default({}),
});
const limitsShape = z.record(z.string(), z.number().int().min(1).max(1000)).nullish().transform((v) => v ?? {});
const KNOWN_HOSTS_LINE = /^(?:@(?:cert-authority|revoked) )?\S+ (?:ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/=]+(?: .*)?$/;

/** A whole target, checked: its inventory as data, whichever way it was given. */
async function validateTarget(input: TargetInput, ansiblePlaybook: string | undefined): Promise<{ name: string; description: string; inventory: Inventory; knownHosts: string; limits: Record<string, number> }> {
  const issues = issuesFromZod(name.safeParse(input.name).error?.issues ?? [], 'name');
  if (typeof input.description === 'string' && input.description.length > 10_000) issues.push({ path: 'description', message: 'at most 10,000 characters' });
  let inventory: Inventory | undefined;
  if ((input.inventory === undefined || input.inventory === null) === (input.inventoryText === undefined || input.inventoryText === null)) {
    issues.push({ path: 'inventory', message: 'give the inventory either as data (inventory) or as an Ansible inventory file (inventoryText)' });
  } else if (typeof input.inventoryText === 'string') {
    if (input.inventoryText.length > 1_000_000) issues.push({ path: 'inventoryText', message: 'at most 1 MB' });
    else {
      try {
        inventory = await parseInventoryText(input.inventoryText, { ansiblePlaybook });
      } catch (error) {
        if (!(error instanceof InventoryError)) throw error;
        issues.push({ path: 'inventoryText', message: error.message });
      }
    }
  } else {
    const parsed = inventoryShape.safeParse(input.inventory);
    if (parsed.success) inventory = parsed.data;
    else issues.push(...issuesFromZod(parsed.error.issues, 'inventory'));
  }
  if (inventory) issues.push(...inventoryProblems(inventory).map((message) => ({ path: input.inventoryText ? 'inventoryText' : 'inventory', message })));
  const knownHosts = (input.knownHosts ?? '').trim();
  knownHosts.split('\n').forEach((line, index) => {
    if (line.trim() && !line.startsWith('#') && !KNOWN_HOSTS_LINE.test(line.trim())) issues.push({ path: 'knownHosts', message: `line ${index + 1} is not a known_hosts entry (host key-type base64-key)` });
  });
  const limits = limitsShape.safeParse(input.limits);
  if (!limits.success) issues.push(...issuesFromZod(limits.error.issues, 'limits'));
  else if (inventory) {
    for (const name of Object.keys(limits.data)) {
      if (inventory.hosts[name] === undefined && inventory.groups[name] === undefined) issues.push({ path: `limits.${name}`, message: `"${name}" is neither a host nor a group of the inventory` });
    }
  }
  if (issues.length || !inventory || !limits.success) throw new ValidationError(issues);
  return { name: input.name, description: input.description ?? '', inventory, knownHosts, limits: limits.data };
}

export async function createTarget(deps: TargetDeps, input: TargetInput): Promise<Target> {
  const target = await validateTarget(input, deps.ansiblePlaybook);
  const inventory = target.inventory as unknown as Prisma.InputJsonObject;
  try {
    return await deps.prisma.target.create({
      data: { ...target, inventory, versions: { create: { version: 1, inventory, knownHosts: target.knownHosts, limits: target.limits } } },
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw new ConflictError(`a target named "${target.name}" already exists`);
    throw error;
  }
}

/**
 * A new version of the target: the fields given replace the stored ones. Runs queued before keep
 * the version they recorded. With `expectedVersion`, a target changed since is a ConflictError.
 */
export async function updateTarget(deps: TargetDeps, id: string, patch: TargetPatch, expectedVersion?: number | null): Promise<Target> {
  const current = await deps.prisma.target.findUnique({ where: { id } });
  if (!current) throw new NotFoundError('Target', id);
  const version = expectedVersion ?? current.version;
  if (version !== current.version) throw new ConflictError(`the target changed since version ${version} (it is now at version ${current.version}): read it again`);
  const replacesInventory = (patch.inventory ?? patch.inventoryText ?? null) !== null;
  const target = await validateTarget({
    name: patch.name ?? current.name,
    description: patch.description ?? current.description,
    knownHosts: patch.knownHosts ?? current.knownHosts,
    limits: patch.limits ?? current.limits,
    ...(replacesInventory ? { inventory: patch.inventory, inventoryText: patch.inventoryText } : { inventory: current.inventory }),
  }, deps.ansiblePlaybook);
  const inventory = target.inventory as unknown as Prisma.InputJsonObject;
  try {
    return await deps.prisma.$transaction(async (tx) => {
      // Compare-and-set on the version: of two concurrent updates, the second is refused.
      const { count } = await tx.target.updateMany({ where: { id, version }, data: { ...target, inventory, version: { increment: 1 } } });
      if (count === 0) throw new ConflictError('the target changed while this update was checked: read it again');
      await tx.targetVersion.create({ data: { targetId: id, version: version + 1, inventory, knownHosts: target.knownHosts, limits: target.limits } });
      return tx.target.findUniqueOrThrow({ where: { id } });
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw new ConflictError(`a target named "${target.name}" already exists`);
    throw error;
  }
}

/** Deletes a target no product uses (its versions go with it; runs keep the name and version they recorded). */
export async function deleteTarget(deps: TargetDeps, id: string): Promise<Target> {
  const current = await deps.prisma.target.findUnique({ where: { id }, include: { products: { select: { slug: true } } } });
  if (!current) throw new NotFoundError('Target', id);
  if (current.products.length) throw new ConflictError(`the target is used by ${current.products.map((p) => p.slug).join(', ')}: point those products elsewhere first`);
  const { products: _products, ...target } = current;
  await deps.prisma.target.delete({ where: { id } });
  return target;
}

/** The inventory a run uses: the target's current version, recorded on the run. */
export function storedInventory(value: Prisma.JsonValue): Inventory {
  return value as unknown as Inventory;
}

/**
 * What the runner needs of the target a run claimed (null: localhost; undefined: the product
 * names a target that no longer exists, and never localhost instead: the playbook was written
 * for the target's elements).
 */
export function targetForRun(claimed: Target | null | undefined, targetHosts: string | null): RunTarget | undefined {
  if (claimed === undefined) throw new Error('the product\'s target no longer exists');
  return claimed ? runTarget(claimed, targetHosts) : undefined;
}

/** The columns by which a run records the target, and its version, that its playbook goes to. */
export function recordedTarget(target: Target | null | undefined): { targetId: string | null; targetName: string | null; targetVersion: number | null } {
  return { targetId: target?.id ?? null, targetName: target?.name ?? null, targetVersion: target?.version ?? null };
}

/** What the runner needs of a target, narrowed to a product's host pattern. */
function runTarget(target: Target, targetHosts: string | null): RunTarget {
  return { inventory: storedInventory(target.inventory), knownHosts: target.knownHosts, limit: targetHosts ?? undefined };
}

/** How long the reachability check may take before the hosts that did not answer count as unreachable. */
const REACHABILITY_TIMEOUT_MS = 30_000;
/**
 * Reachability checks running at once in this process: each is an ansible-playbook, and a burst
 * of provision requests (within the rate limits) must not start one per request.
 */
export const MAX_REACHABILITY_CHECKS = 2;
const reachabilityChecks = pLimit(MAX_REACHABILITY_CHECKS);

/**
 * A product with `checkReachability`: ping its target's hosts with its credentials before a
 * provision reserves anything; unreachable hosts are a TargetUnreachableError naming them.
 */
export async function assertTargetReachable(deps: TargetDeps & { secrets: SecretBox }, product: Pick<Product, 'id' | 'targetId' | 'targetHosts' | 'checkReachability'>): Promise<void> {
  if (!product.checkReachability || !product.targetId) return;
  const target = await deps.prisma.target.findUnique({ where: { id: product.targetId } });
  if (!target) return;
  const credentials = await runCredentials(deps.prisma, deps.secrets, product.id);
  const unreachable = await reachabilityChecks(() => unreachableHosts(runTarget(target, product.targetHosts), credentials, { timeoutMs: REACHABILITY_TIMEOUT_MS, ansiblePlaybook: deps.ansiblePlaybook }));
  if (unreachable.length) throw new TargetUnreachableError(target.name, unreachable);
}

/** What a target's `limits` cap: `{ host or group: runs at most at once }`. */
export function storedLimits(value: Prisma.JsonValue): Record<string, number> {
  return (value ?? {}) as Record<string, number>;
}

/**
 * The limits of the target hosts and groups a product's runs touch (the hosts its targetHosts
 * pattern selects, and the groups holding any of them), keyed per target.
 */
export async function targetLimits(prisma: PrismaClient | Prisma.TransactionClient, product: Pick<Product, 'targetId' | 'targetHosts'>): Promise<RunLimit[]> {
  if (!product.targetId) return [];
  const target = await prisma.target.findUnique({ where: { id: product.targetId }, select: { id: true, inventory: true, limits: true } });
  return target ? limitsOnTarget(target, product.targetHosts) : [];
}

/** targetLimits for a target already read. */
export function limitsOnTarget(target: Pick<Target, 'id' | 'inventory' | 'limits'>, targetHosts: string | null): RunLimit[] {
  const limits = Object.entries(storedLimits(target.limits));
  if (limits.length === 0) return [];
  const inventory = storedInventory(target.inventory);
  const touched = selectHosts(inventory, targetHosts ?? undefined);
  const groups = groupHosts(inventory);
  return limits
    .filter(([name]) => touched.has(name) || [...(groups.get(name) ?? [])].some((host) => touched.has(host)))
    .map(([name, limit]) => ({ key: `target:${target.id}:${name}`, limit }));
}
