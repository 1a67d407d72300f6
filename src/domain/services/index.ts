// The service lifecycle's public surface: provisioning and deprovisioning services, and running
// their actions.
export { runServiceAction } from './actions.ts';
export { checkServiceSync, redeployService, type RedeployRequest, type SyncRequest } from './sync.ts';
export { bulkProgress, bulkState, cancelBulkOperation, MAX_BULK_SERVICES, runSyncAudit, scheduledAudits, startBulkOperation, type BulkProgress, type BulkSelection } from './bulk.ts';
export { provisionServices, type BatchOutcome } from './batch-provisioning.ts';
export { deprovisionService, provisionService, type RunStarted } from './provisioning.ts';
export { followServiceStates, notifyServiceState, startTellingServices, type ServiceChange, type ServiceEventFormat } from './state-events.ts';
