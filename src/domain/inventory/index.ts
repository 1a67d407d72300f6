// The inventory's public surface: the item kinds, the pool of items, what a product requires of
// it, picking items for a run, and the alerts when a product's pool runs low.
export {
  addInventoryItems,
  poolCounts,
  publishPools,
  releaseInventoryItem,
  retireInventoryItem,
  type InventoryDeps,
  type NewInventoryItem,
} from './items.ts';
export { inventoryKinds, luhnValid } from './kinds.ts';
export { pickItems, pickItemSets, type PickedSets } from './pick.ts';
export { checkPoolAlerts, productPool, type ProductPool, type RequirementStock } from './pool-alerts.ts';
export { inventoryRequirementList, type InventoryRequirement } from './requirements.ts';
