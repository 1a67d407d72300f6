// The run subsystem's public surface: queueing, executing, controlling, recovering and streaming runs.
export { cancelRun, pruneRunHistory, rescheduleRun, retryRun, type PruneResult, type RunControlDeps } from './control.ts';
export type { RunCounters } from '../ports/run-event-store.ts';
export { RunExecutor, type ExecutorDeps } from './executor.ts';
export { enqueueRun, enqueueRuns, queuePosition, type LifecycleDeps } from './lifecycle.ts';
export { addedItemIds } from './action-items.ts';
export { ACTIVE_RUN_STATUSES, isTerminal } from './status.ts';
export { checkAfterRedeploy, diffShowsChange, redeployRun, syncCheckRun, syncStateOf } from './sync-end.ts';
export { liveWorkerIds, newWorkerId, WorkerLiveness } from './liveness.ts';
export { interruptRunsOfEndedLocalWorkers, recordProcessIdentity } from './local-workers.ts';
export { interruptOrphanedRuns, requeueWaitingRuns } from './recovery.ts';
export { streamRunEvents, streamRunUpdates } from './stream.ts';
export { queueOrSchedule, runTimingColumns, ScheduledRunStarter, type RunTiming, type RunTimingColumns } from './schedule.ts';
