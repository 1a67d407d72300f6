import type { Prisma } from '#generated/prisma/client.ts';
import type { Role } from '#generated/prisma/enums.ts';

export type { Role };

/**
 * Who is calling: the API key a request or connection authenticated with. Every read and write
 * the domain does on a caller's behalf is scoped by it.
 */
export interface Viewer {
  keyId: string;
  keyName: string;
  role: Role;
  /** Set exactly for PARTNER keys. */
  partnerId: string | null;
  /** Requests per minute this key may make; null: no limit (staff keys). */
  rateLimitPerMinute: number | null;
  expiresAt: Date | null;
}

/** Staff: the operator's own people and tools (ADMIN, OPERATOR, VIEWER), as opposed to partners. */
export const isStaff = (viewer: Viewer): boolean => viewer.role !== 'PARTNER';

function partnerOf(viewer: Viewer): string | null {
  if (viewer.role !== 'PARTNER') return null;
  // A partner key without a partner would see everything: fail closed instead.
  if (!viewer.partnerId) throw new Error(`partner key ${viewer.keyId} has no partner`);
  return viewer.partnerId;
}

/** Products the viewer may see and provision: partners only those granted to them. */
export function visibleProducts(viewer: Viewer): Prisma.ProductWhereInput {
  const partnerId = partnerOf(viewer);
  return partnerId ? { archivedAt: null, partnerGrants: { some: { partnerId } } } : {};
}

/** Services the viewer may see: a partner only those its keys provisioned. */
export function visibleServices(viewer: Viewer): Prisma.ServiceWhereInput {
  const partnerId = partnerOf(viewer);
  return partnerId ? { partnerId } : {};
}

/** Runs the viewer may see: a partner only those of its services and its own previews. */
export function visibleRuns(viewer: Viewer): Prisma.ProvisioningRunWhereInput {
  const partnerId = partnerOf(viewer);
  return partnerId ? { partnerId } : {};
}

/** Inventory the viewer may see: a partner only items its services hold. */
export function visibleInventory(viewer: Viewer): Prisma.InventoryItemWhereInput {
  const partnerId = partnerOf(viewer);
  return partnerId ? { service: { partnerId } } : {};
}
