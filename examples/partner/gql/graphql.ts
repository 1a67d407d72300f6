/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** The kind of an inventory item; each kind validates its identifier its own way. */
export type InventoryKind =
  | 'IP_BLOCK'
  | 'MODEM'
  | 'PHONE_NUMBER'
  | 'SIM';

export type ProvisionServiceInput = {
  /** Preview: runs the playbook with --check --diff, reserves nothing, creates no service, changes no state. */
  checkMode?: boolean | null | undefined;
  /** Your own reference for the customer. */
  customerRef: string;
  /** Retrying with the same key returns the same service and run instead of provisioning twice. */
  idempotencyKey?: string | null | undefined;
  /** Specific items to use; the rest are the first matching AVAILABLE ones. */
  inventoryItemIds?: Array<string | number> | null | undefined;
  /** With notBefore: a scheduled run not started by then ends EXPIRED, its items back in the pool. */
  notAfter?: string | null | undefined;
  /** Not before then: the run waits SCHEDULED (inventory reserved at once). Null or past: queued now. */
  notBefore?: string | null | undefined;
  productSlug: string;
  /** Validated against the product's variableSchema. */
  variables?: Record<string, unknown> | null | undefined;
};

/** (SCHEDULED →) QUEUED → RUNNING → SUCCEEDED | ROLLED_BACK (a rescue ran, no unhandled failure) | FAILED | CANCELED | TIMED_OUT | INTERRUPTED (the process running it died). SCHEDULED waits for its notBefore; one not started by its notAfter ends EXPIRED. */
export type RunStatus =
  | 'CANCELED'
  | 'EXPIRED'
  | 'FAILED'
  | 'INTERRUPTED'
  | 'QUEUED'
  | 'ROLLED_BACK'
  | 'RUNNING'
  | 'SCHEDULED'
  | 'SUCCEEDED'
  | 'TIMED_OUT';

/** PROVISIONING → ACTIVE → DEPROVISIONING → DEPROVISIONED; PROVISIONING → FAILED (rolled back cleanly); ACTIVE ↔ SUSPENDED through product actions; NEEDS_ATTENTION when a rollback, deprovision or action could not complete. */
export type ServiceStatus =
  | 'ACTIVE'
  | 'DEPROVISIONED'
  | 'DEPROVISIONING'
  | 'FAILED'
  | 'NEEDS_ATTENTION'
  | 'PROVISIONING'
  | 'SUSPENDED';

export type PartnerListProductsQueryVariables = Exact<{ [key: string]: never; }>;


export type PartnerListProductsQuery = { products: { nodes: Array<{ slug: string, name: string, secretVariables: Array<string>, inventoryRequirements: Array<{ kind: InventoryKind, count: number }> }> } };

export type PartnerProvisionMutationVariables = Exact<{
  input: ProvisionServiceInput;
}>;


export type PartnerProvisionMutation = { provisionService:
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InsufficientInventoryError', message: string }
    | { __typename: 'InvalidStateError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ProvisionServiceSuccess', started: { service: { id: string, customerRef: string } | null, run: { id: string, status: RunStatus } } }
    | { __typename: 'TargetUnreachableError', message: string }
    | { __typename: 'ValidationError', message: string }
   };

export type PartnerFollowRunSubscriptionVariables = Exact<{
  runId: string | number;
}>;


export type PartnerFollowRunSubscription = { runEvents: { seq: number, type: string, task: string | null, changed: boolean | null } };

export type PartnerRunOutcomeQueryVariables = Exact<{
  id: string | number;
}>;


export type PartnerRunOutcomeQuery = { run: { status: RunStatus, statusReason: string | null, counters: { ok: number, changed: number, failed: number }, service: { status: ServiceStatus, outputs: Record<string, unknown> } | null } | null };


export const PartnerListProductsDocument = {"__meta__":{"hash":"sha256:4133162328eaf9be0437ba4c4639c303a797c0379132b0849e4352e03595ab6f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PartnerListProducts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"products"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"secretVariables"}},{"kind":"Field","name":{"kind":"Name","value":"inventoryRequirements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PartnerListProductsQuery, PartnerListProductsQueryVariables>;
export const PartnerProvisionDocument = {"__meta__":{"hash":"sha256:6f9a60920d84637fdec1cf2fff2075aa21305e7aa253b48521049262047f8d9c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PartnerProvision"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ProvisionServiceInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provisionService"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProvisionServiceSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"started"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"service"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"customerRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"run"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<PartnerProvisionMutation, PartnerProvisionMutationVariables>;
export const PartnerFollowRunDocument = {"__meta__":{"hash":"sha256:74e136ca9c88abce60f7c51b1b382fb58fd0e0be9c46280592ae7b369911a152"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PartnerFollowRun"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"runId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"runEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"runId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"runId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"task"}},{"kind":"Field","name":{"kind":"Name","value":"changed"}}]}}]}}]} as unknown as DocumentNode<PartnerFollowRunSubscription, PartnerFollowRunSubscriptionVariables>;
export const PartnerRunOutcomeDocument = {"__meta__":{"hash":"sha256:0ead3db316ca0641aafa0b9737320726bcb6484ec2b9468dacf369268920151d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PartnerRunOutcome"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"run"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"counters"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"changed"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}},{"kind":"Field","name":{"kind":"Name","value":"service"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"outputs"}}]}}]}}]}}]} as unknown as DocumentNode<PartnerRunOutcomeQuery, PartnerRunOutcomeQueryVariables>;