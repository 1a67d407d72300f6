// The catalog's public surface: products, the actions they offer, their variable schemas and
// the playbooks they run.
export { type CatalogEventFormat, type ProductChange } from './events.ts';
export { actionTransition, productActions, type ActionTransition, type ProductAction } from './product-actions.ts';
export { cachedSyntaxCheck, listPlaybooks, resolvePlaybook, type PlaybookFile } from './playbooks.ts';
export { isNewRevision, productAtRevision, productsAtRevisions, revisionData, revisionKey } from './revisions.ts';
export { auditTimes, DEFAULT_MIN_AUDIT_INTERVAL_SECONDS, storedSchedule, type SyncSchedule } from './sync-schedule.ts';
export {
  archiveProduct,
  createProduct,
  productDefinition,
  updateProduct,
  type PlaybookChecker,
  type ProductDeps,
  type ProductInput,
  type ProductPatch,
} from './products.ts';
export {
  maskSecretDefaults,
  maskSecretVariables,
  mergeVariables,
  SECRET_MASK,
  secretMaskIssues,
  secretValues,
  secretVariableNames,
  splitSecrets,
  validateVariables,
  type VariableSchema,
} from './variables.ts';
