import type { ProvisioningDeps } from '../services/provisioning.ts';
import type { OrderEventFormat } from './events.ts';

/** What orders need of the app: what provisioning needs (they start its runs), and how their events read. */
export type OrderDeps = ProvisioningDeps & { orderEvents?: OrderEventFormat | undefined };
