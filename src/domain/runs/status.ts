import type { InventoryItem, Product, ProvisioningRun, Service } from '#generated/prisma/client.ts';
import type { RunStatus } from '#generated/prisma/enums.ts';

// The words of a run's state, shared by every part of the run subsystem and the services that
// start runs: a leaf, so that none of them has to import another for a type or a constant.

/** Statuses in which a run still holds its service: a service has at most one such run. */
export const ACTIVE_RUN_STATUSES = ['SCHEDULED', 'QUEUED', 'RUNNING'] as const;

const TERMINAL: ReadonlySet<RunStatus> = new Set(['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'CANCELED', 'TIMED_OUT', 'INTERRUPTED', 'EXPIRED']);
export const isTerminal = (status: RunStatus | string) => TERMINAL.has(status as RunStatus);

/** How a run ended, before it is applied to the service and the inventory. */
export interface Verdict {
  status: RunStatus;
  reason: string | null;
  /** Nothing happened in the network: the playbook never started, or it reached no host. */
  neverStarted?: boolean;
}

/** A run with what ending it needs: its product, its service and the service's items. */
export type LoadedRun = ProvisioningRun & { product: Product; service: (Service & { inventoryItems: InventoryItem[] }) | null };

export const LOADED_RUN_INCLUDE = { product: true, service: { include: { inventoryItems: true } } } as const;
