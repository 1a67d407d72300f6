import { z } from 'zod';
import { InventoryKind } from '#generated/prisma/enums.ts';

/** Items of one kind a product (or one of its actions) needs from the pool. */
export interface InventoryRequirement {
  kind: InventoryKind;
  count: number;
  /** Attribute values an item must have, e.g. `{ model: "FritzBox 7590" }`. */
  match: Record<string, string | number | boolean>;
}

const requirementShape = z.object({
  kind: z.enum(InventoryKind),
  count: z.number().int().min(1).max(100).nullish().transform((v) => v ?? 1),
  match: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullish().transform((v) => v ?? {}),
});

/** A product's inventoryRequirements and an action's `inventory.reserve` share this shape: each kind once, with a count. */
export const inventoryRequirementList = z
  .array(requirementShape)
  .max(20)
  .refine((reqs) => new Set(reqs.map((r) => r.kind)).size === reqs.length, 'list each inventory kind once (use count for more than one)');
