import { isDeepStrictEqual } from 'node:util';
import type { Prisma, PrismaClient, Product } from '#generated/prisma/client.ts';

// A product's revisions: every change of what its services are provisioned with (its playbooks,
// its default variables and variable schema) is kept as a numbered revision. A service remembers
// the revision it was provisioned or last re-deployed with, so that a sync check compares the
// network with what that service was given, and an upgrade (a re-deploy to the current revision)
// is a choice, previewed by a check against the current revision.

const REVISED_FIELDS = ['provisionPlaybook', 'deprovisionPlaybook', 'defaultVariables', 'variableSchema'] as const;

type RevisionContent = Record<(typeof REVISED_FIELDS)[number], unknown>;

/** Whether an update changes what services are provisioned with: values compared opened, keys in any order. */
export function isNewRevision(before: RevisionContent, after: RevisionContent): boolean {
  return REVISED_FIELDS.some((field) => !isDeepStrictEqual(before[field], after[field]));
}

/** The revision row for a product row as written (secret defaults as it stores them: sealed). */
export function revisionData(product: Product): Prisma.ProductRevisionUncheckedCreateInput {
  return {
    productId: product.id,
    revision: product.revision,
    provisionPlaybook: product.provisionPlaybook,
    deprovisionPlaybook: product.deprovisionPlaybook,
    defaultVariables: product.defaultVariables as Prisma.InputJsonObject,
    variableSchema: product.variableSchema as Prisma.InputJsonObject,
  };
}

type RevisionReader = Pick<PrismaClient, 'productRevision'> | Prisma.TransactionClient;

/**
 * The product as it was at a revision: its row with that revision's playbooks and variables (the
 * rest, its target, limits and inventory, is the product's now). The current revision is the row itself.
 */
export async function productAtRevision(db: RevisionReader, product: Product, revision: number): Promise<Product> {
  return (await productsAtRevisions(db, [{ product, revision }])).get(revisionKey(product.id, revision))!;
}

/** Several products at several revisions, read at once; keyed by revisionKey. Throws for a revision not kept. */
export async function productsAtRevisions(db: RevisionReader, wanted: Array<{ product: Product; revision: number }>): Promise<Map<string, Product>> {
  const found = new Map<string, Product>();
  const older = new Map<string, { product: Product; revision: number }>();
  for (const entry of wanted) {
    if (entry.revision === entry.product.revision) found.set(revisionKey(entry.product.id, entry.revision), entry.product);
    else older.set(revisionKey(entry.product.id, entry.revision), entry);
  }
  if (older.size === 0) return found;
  const rows = await db.productRevision.findMany({ where: { OR: [...older.values()].map(({ product, revision }) => ({ productId: product.id, revision })) } });
  for (const row of rows) {
    const key = revisionKey(row.productId, row.revision);
    const { product } = older.get(key)!;
    found.set(key, { ...product, revision: row.revision, provisionPlaybook: row.provisionPlaybook, deprovisionPlaybook: row.deprovisionPlaybook, defaultVariables: row.defaultVariables, variableSchema: row.variableSchema });
  }
  const missing = [...older.keys()].find((key) => !found.has(key));
  if (missing) throw new Error(`product revision ${missing} is not kept`);
  return found;
}

export function revisionKey(productId: string, revision: number): string {
  return `${productId}#${revision}`;
}
