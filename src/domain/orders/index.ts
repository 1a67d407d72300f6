// Service orders (TMF641): placing them, and the engine driving them to their end.
export { cancelOrder, type CancelDeps, type CancelRequest } from './cancel.ts';
export { type OrderChange, type OrderEventFormat } from './events.ts';
export { followOrders, sweepOrders } from './follow.ts';
export { placeOrder, type Orderer } from './place.ts';
export { MAX_ORDER_ITEMS, type OrderItemRequest, type OrderRequest } from './plan.ts';
export { advanceOrder } from './progress.ts';
export { type OrderDeps } from './deps.ts';
export { loadOrder, ORDER_INCLUDE, type LoadedOrder } from './read.ts';
export { FINAL_ORDER_STATES, isFinalOrder } from './states.ts';
