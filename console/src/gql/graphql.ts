/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What a bulk operation runs on each service. */
export type BulkOperationKind =
  | 'CHECK_SYNC'
  | 'REDEPLOY';

/** RUNNING while a run of it is queued or running; DONE when all ended; CANCELLED once cancelled (its runs that had not ended were cancelled). */
export type BulkOperationState =
  | 'CANCELLED'
  | 'DONE'
  | 'RUNNING';

export type InventoryFilter = {
  kind?: InventoryKind | null | undefined;
  /** Substring of the identifier (case-insensitive). */
  search?: string | null | undefined;
  status?: InventoryStatus | null | undefined;
};

/** The kind of an inventory item; each kind validates its identifier its own way. */
export type InventoryKind =
  | 'IP_BLOCK'
  | 'MODEM'
  | 'PHONE_NUMBER'
  | 'SIM';

/** AVAILABLE → RESERVED (a provision run holds it) → IN_USE → AVAILABLE. QUARANTINED when its real state is unknown (only an operator releases it); RETIRED is out of the pool. */
export type InventoryStatus =
  | 'AVAILABLE'
  | 'IN_USE'
  | 'QUARANTINED'
  | 'RESERVED'
  | 'RETIRED';

export type NewInventoryItemInput = {
  /** SIM: imsi, ki*, opc*; MODEM: mac, model; others free-form. * secret: stored write-only. */
  attributes?: Record<string, unknown> | null | undefined;
  identifier: string;
  kind: InventoryKind;
};

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

/** Which product revision a sync check compares the network with, or a re-deploy applies: OWN (the service's: a drift check, a repair) or CURRENT (the product's latest: an upgrade's preview, an upgrade). */
export type RevisionChoice =
  | 'CURRENT'
  | 'OWN';

/** ADMIN: everything, including keys, partners, trusted documents, retention and the audit log. OPERATOR: products, inventory, services and runs. PARTNER: its own services and their runs, on the products granted to it, with registered documents only. VIEWER: read-only, no logs. */
export type Role =
  | 'ADMIN'
  | 'OPERATOR'
  | 'PARTNER'
  | 'VIEWER';

export type RunAction =
  | 'ACTION'
  | 'CHECK_SYNC'
  | 'DEPROVISION'
  | 'PROVISION'
  | 'REDEPLOY';

export type RunFilter = {
  action?: RunAction | null | undefined;
  serviceId?: string | number | null | undefined;
  status?: RunStatus | null | undefined;
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

export type ServiceFilter = {
  customerRef?: string | null | undefined;
  productSlug?: string | null | undefined;
  status?: ServiceStatus | null | undefined;
  syncState?: SyncState | null | undefined;
};

/** PROVISIONING → ACTIVE → DEPROVISIONING → DEPROVISIONED; PROVISIONING → FAILED (rolled back cleanly); ACTIVE ↔ SUSPENDED through product actions; NEEDS_ATTENTION when a rollback, deprovision or action could not complete. */
export type ServiceStatus =
  | 'ACTIVE'
  | 'DEPROVISIONED'
  | 'DEPROVISIONING'
  | 'FAILED'
  | 'NEEDS_ATTENTION'
  | 'PROVISIONING'
  | 'SUSPENDED';

/** Which services: at least one criterion; several combine (a product's DRIFTED services). */
export type StartBulkOperationInput = {
  kind: BulkOperationKind;
  productSlug?: string | null | undefined;
  /** CURRENT: checks preview, re-deploys apply, the product's current revision (an upgrade of them all). */
  revision?: RevisionChoice | null | undefined;
  /** At most 10000. */
  serviceIds?: Array<string | number> | null | undefined;
  syncState?: SyncState | null | undefined;
  /** The services of products on this target. */
  targetName?: string | null | undefined;
};

/** Whether the network still matches the service, by its last sync check: IN_SYNC (nothing would change), DRIFTED (the check's diffs say what would), UNKNOWN (never checked, or the check could not tell). */
export type SyncState =
  | 'DRIFTED'
  | 'IN_SYNC'
  | 'UNKNOWN';

export type ConsoleViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleViewerQuery = { viewer: { keyName: string, role: Role } };

export type ConsoleAttentionQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleAttentionQuery = { services: { totalCount: number, nodes: Array<{ id: string, customerRef: string, statusReason: string | null, updatedAt: string, product: { slug: string } }> }, quarantined: { totalCount: number, nodes: Array<{ id: string, kind: InventoryKind, identifier: string, statusReason: string | null }> }, running: { totalCount: number, nodes: Array<{ id: string, action: RunAction, status: RunStatus, product: { slug: string }, service: { customerRef: string } | null, progress: { tasksStarted: number, currentTask: string | null } }> }, queued: { totalCount: number, nodes: Array<{ id: string, action: RunAction, status: RunStatus, queuePosition: number | null, product: { slug: string }, service: { customerRef: string } | null }> }, lowPools: Array<{ id: string, slug: string, pool: { provisionsLeft: number | null, alertBelow: number | null, lowSince: string | null, requirements: Array<{ kind: InventoryKind, available: number }> } }> };

export type ConsoleBulkOperationsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleBulkOperationsQuery = { bulkOperations: { nodes: Array<{ id: string, kind: BulkOperationKind, revision: RevisionChoice, selection: Record<string, unknown>, state: BulkOperationState, skipped: number, createdAt: string, cancelledAt: string | null, progress: { total: number, queued: number, running: number, done: number, succeeded: number, failed: number, inSync: number, drifted: number } }> } };

export type ConsoleStartBulkOperationMutationVariables = Exact<{
  input: StartBulkOperationInput;
}>;


export type ConsoleStartBulkOperationMutation = { startBulkOperation:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'StartBulkOperationSuccess', bulkOperation: { id: string } }
    | { __typename: 'ValidationError', message: string }
   };

export type ConsoleCancelBulkOperationMutationVariables = Exact<{
  id: string | number;
}>;


export type ConsoleCancelBulkOperationMutation = { cancelBulkOperation:
    | { __typename: 'CancelBulkOperationSuccess', bulkOperation: { id: string } }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type ConsolePoolsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsolePoolsQuery = { inventoryPools: Array<{ kind: InventoryKind, total: number, available: number, reserved: number, inUse: number, quarantined: number, retired: number }> };

export type ConsolePoolChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type ConsolePoolChangedSubscription = { inventoryPoolChanged: { kind: InventoryKind, total: number, available: number, reserved: number, inUse: number, quarantined: number, retired: number } };

export type ConsoleItemsQueryVariables = Exact<{
  filter?: InventoryFilter | null | undefined;
}>;


export type ConsoleItemsQuery = { inventoryItems: { totalCount: number, nodes: Array<{ id: string, kind: InventoryKind, identifier: string, status: InventoryStatus, statusReason: string | null, attributes: Record<string, unknown> }> } };

export type ConsoleAddItemsMutationVariables = Exact<{
  items: Array<NewInventoryItemInput> | NewInventoryItemInput;
}>;


export type ConsoleAddItemsMutation = { addInventoryItems:
    | { __typename: 'AddInventoryItemsSuccess', added: number }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InventoryImportError', message: string, rows: Array<{ index: number, identifier: string, message: string }> }
    | { __typename: 'ValidationError', message: string }
   };

export type ConsoleReleaseMutationVariables = Exact<{
  id: string | number;
}>;


export type ConsoleReleaseMutation = { releaseInventoryItem:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidStateError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ReleaseInventoryItemSuccess' }
    | { __typename: 'ValidationError', message: string }
   };

export type ConsoleRetireMutationVariables = Exact<{
  id: string | number;
}>;


export type ConsoleRetireMutation = { retireInventoryItem:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidStateError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RetireInventoryItemSuccess' }
    | { __typename: 'ValidationError', message: string }
   };

export type ConsoleProductsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleProductsQuery = { products: { nodes: Array<{ slug: string, name: string, description: string, inventoryRequirements: Array<{ kind: InventoryKind, count: number }> }> } };

export type ConsoleProductQueryVariables = Exact<{
  slug: string;
}>;


export type ConsoleProductQuery = { product: { slug: string, name: string, description: string, variableSchema: Record<string, unknown>, secretVariables: Array<string>, inventoryRequirements: Array<{ kind: InventoryKind, count: number }> } | null };

export type ConsoleProvisionMutationVariables = Exact<{
  input: ProvisionServiceInput;
}>;


export type ConsoleProvisionMutation = { provisionService:
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InsufficientInventoryError', message: string }
    | { __typename: 'InvalidStateError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ProvisionServiceSuccess', started: { run: { id: string } } }
    | { __typename: 'TargetUnreachableError', message: string }
    | { __typename: 'ValidationError', message: string, issues: Array<{ path: string, message: string }> }
   };

export type ConsoleRunQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleRunQuery = { run: { id: string, action: RunAction, status: RunStatus, statusReason: string | null, checkMode: boolean, playbook: string, queuePosition: number | null, notBefore: string | null, notAfter: string | null, queuedAt: string, startedAt: string | null, finishedAt: string | null, lastSeq: number, product: { slug: string, name: string }, service: { id: string, customerRef: string, status: ServiceStatus } | null, counters: { ok: number, changed: number, failed: number, skipped: number, rescued: number, unreachable: number }, progress: { tasksStarted: number, tasksDone: number, currentTask: string | null, currentHost: string | null }, compensatesRun: { id: string, status: RunStatus } | null, compensatedBy: Array<{ id: string, status: RunStatus }>, retryOf: { id: string, status: RunStatus } | null } | null };

export type ConsoleRunLogQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleRunLogQuery = { run: { id: string, log: string } | null };

export type ConsoleRunUpdatedSubscriptionVariables = Exact<{
  runId: string | number;
}>;


export type ConsoleRunUpdatedSubscription = { runUpdated: { status: RunStatus, lastSeq: number, terminal: boolean } };

export type ConsoleRunEventsSubscriptionVariables = Exact<{
  runId: string | number;
  afterSeq?: number | null | undefined;
}>;


export type ConsoleRunEventsSubscription = { runEvents: { seq: number, type: string, task: string | null, host: string | null, section: string | null, changed: boolean | null, createdAt: string, data: unknown } };

export type ConsoleCancelRunMutationVariables = Exact<{
  id: string | number;
}>;


export type ConsoleCancelRunMutation = { cancelRun:
    | { __typename: 'CancelRunSuccess', run: { id: string, status: RunStatus } }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidStateError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ValidationError', message: string }
   };

export type ConsoleRetryRunMutationVariables = Exact<{
  id: string | number;
}>;


export type ConsoleRetryRunMutation = { retryRun:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidStateError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RetryRunSuccess', run: { id: string } }
    | { __typename: 'ValidationError', message: string }
   };

export type ConsoleRunsQueryVariables = Exact<{
  filter?: RunFilter | null | undefined;
}>;


export type ConsoleRunsQuery = { runs: { totalCount: number, nodes: Array<{ id: string, action: RunAction, actionName: string | null, status: RunStatus, checkMode: boolean, queuePosition: number | null, queuedAt: string, product: { slug: string }, service: { customerRef: string } | null, progress: { tasksStarted: number, tasksDone: number, currentTask: string | null } }> } };

export type ConsoleServicesQueryVariables = Exact<{
  filter?: ServiceFilter | null | undefined;
}>;


export type ConsoleServicesQuery = { services: { totalCount: number, nodes: Array<{ id: string, customerRef: string, status: ServiceStatus, statusReason: string | null, syncState: SyncState, updatedAt: string, product: { slug: string } }> } };

export type ConsoleProductSlugsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleProductSlugsQuery = { products: { nodes: Array<{ slug: string, name: string }> } };

export type ConsoleServiceQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleServiceQuery = { service: { id: string, customerRef: string, status: ServiceStatus, statusReason: string | null, createdAt: string, outputs: Record<string, unknown>, syncState: SyncState, syncCheckedAt: string | null, productRevision: number, upgradeAvailable: boolean, lastSyncCheck: { id: string, status: RunStatus } | null, syncDiffs: Array<{ seq: number, task: string | null, host: string | null, data: unknown }>, product: { revision: number, slug: string, name: string }, inventoryItems: Array<{ id: string, kind: InventoryKind, identifier: string, status: InventoryStatus }>, runs: { nodes: Array<{ id: string, action: RunAction, actionName: string | null, status: RunStatus, checkMode: boolean, queuedAt: string, finishedAt: string | null, statusReason: string | null }> } } | null };

export type ConsoleCheckServiceSyncMutationVariables = Exact<{
  id: string | number;
  revision: RevisionChoice;
}>;


export type ConsoleCheckServiceSyncMutation = { checkServiceSync:
    | { __typename: 'CheckServiceSyncSuccess', started: { run: { id: string } } }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidStateError', message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type ConsoleRedeployServiceMutationVariables = Exact<{
  id: string | number;
  revision: RevisionChoice;
}>;


export type ConsoleRedeployServiceMutation = { redeployService:
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidStateError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RedeployServiceSuccess', started: { run: { id: string } } }
    | { __typename: 'ValidationError', message: string }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ConsoleViewerDocument = new TypedDocumentString(`
    query ConsoleViewer {
  viewer {
    keyName
    role
  }
}
    `) as unknown as TypedDocumentString<ConsoleViewerQuery, ConsoleViewerQueryVariables>;
export const ConsoleAttentionDocument = new TypedDocumentString(`
    query ConsoleAttention {
  services(first: 50, filter: { status: NEEDS_ATTENTION }) {
    totalCount
    nodes {
      id
      customerRef
      statusReason
      updatedAt
      product {
        slug
      }
    }
  }
  quarantined: inventoryItems(first: 50, filter: { status: QUARANTINED }) {
    totalCount
    nodes {
      id
      kind
      identifier
      statusReason
    }
  }
  running: runs(first: 50, filter: { status: RUNNING }) {
    totalCount
    nodes {
      id
      action
      status
      product {
        slug
      }
      service {
        customerRef
      }
      progress {
        tasksStarted
        currentTask
      }
    }
  }
  queued: runs(first: 50, filter: { status: QUEUED }) {
    totalCount
    nodes {
      id
      action
      status
      queuePosition
      product {
        slug
      }
      service {
        customerRef
      }
    }
  }
  lowPools {
    id
    slug
    pool {
      provisionsLeft
      alertBelow
      lowSince
      requirements {
        kind
        available
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleAttentionQuery, ConsoleAttentionQueryVariables>;
export const ConsoleBulkOperationsDocument = new TypedDocumentString(`
    query ConsoleBulkOperations {
  bulkOperations(first: 20) {
    nodes {
      id
      kind
      revision
      selection
      state
      skipped
      createdAt
      cancelledAt
      progress {
        total
        queued
        running
        done
        succeeded
        failed
        inSync
        drifted
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleBulkOperationsQuery, ConsoleBulkOperationsQueryVariables>;
export const ConsoleStartBulkOperationDocument = new TypedDocumentString(`
    mutation ConsoleStartBulkOperation($input: StartBulkOperationInput!) {
  startBulkOperation(input: $input) {
    __typename
    ... on StartBulkOperationSuccess {
      bulkOperation {
        id
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleStartBulkOperationMutation, ConsoleStartBulkOperationMutationVariables>;
export const ConsoleCancelBulkOperationDocument = new TypedDocumentString(`
    mutation ConsoleCancelBulkOperation($id: ID!) {
  cancelBulkOperation(id: $id) {
    __typename
    ... on CancelBulkOperationSuccess {
      bulkOperation {
        id
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleCancelBulkOperationMutation, ConsoleCancelBulkOperationMutationVariables>;
export const ConsolePoolsDocument = new TypedDocumentString(`
    query ConsolePools {
  inventoryPools {
    kind
    total
    available
    reserved
    inUse
    quarantined
    retired
  }
}
    `) as unknown as TypedDocumentString<ConsolePoolsQuery, ConsolePoolsQueryVariables>;
export const ConsolePoolChangedDocument = new TypedDocumentString(`
    subscription ConsolePoolChanged {
  inventoryPoolChanged {
    kind
    total
    available
    reserved
    inUse
    quarantined
    retired
  }
}
    `) as unknown as TypedDocumentString<ConsolePoolChangedSubscription, ConsolePoolChangedSubscriptionVariables>;
export const ConsoleItemsDocument = new TypedDocumentString(`
    query ConsoleItems($filter: InventoryFilter) {
  inventoryItems(first: 100, filter: $filter) {
    totalCount
    nodes {
      id
      kind
      identifier
      status
      statusReason
      attributes
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleItemsQuery, ConsoleItemsQueryVariables>;
export const ConsoleAddItemsDocument = new TypedDocumentString(`
    mutation ConsoleAddItems($items: [NewInventoryItemInput!]!) {
  addInventoryItems(items: $items) {
    __typename
    ... on AddInventoryItemsSuccess {
      added
    }
    ... on InventoryImportError {
      message
      rows {
        index
        identifier
        message
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleAddItemsMutation, ConsoleAddItemsMutationVariables>;
export const ConsoleReleaseDocument = new TypedDocumentString(`
    mutation ConsoleRelease($id: ID!) {
  releaseInventoryItem(id: $id) {
    __typename
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleReleaseMutation, ConsoleReleaseMutationVariables>;
export const ConsoleRetireDocument = new TypedDocumentString(`
    mutation ConsoleRetire($id: ID!) {
  retireInventoryItem(id: $id) {
    __typename
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRetireMutation, ConsoleRetireMutationVariables>;
export const ConsoleProductsDocument = new TypedDocumentString(`
    query ConsoleProducts {
  products(first: 100) {
    nodes {
      slug
      name
      description
      inventoryRequirements {
        kind
        count
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleProductsQuery, ConsoleProductsQueryVariables>;
export const ConsoleProductDocument = new TypedDocumentString(`
    query ConsoleProduct($slug: String!) {
  product(slug: $slug) {
    slug
    name
    description
    variableSchema
    secretVariables
    inventoryRequirements {
      kind
      count
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleProductQuery, ConsoleProductQueryVariables>;
export const ConsoleProvisionDocument = new TypedDocumentString(`
    mutation ConsoleProvision($input: ProvisionServiceInput!) {
  provisionService(input: $input) {
    __typename
    ... on ProvisionServiceSuccess {
      started {
        run {
          id
        }
      }
    }
    ... on ValidationError {
      message
      issues {
        path
        message
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleProvisionMutation, ConsoleProvisionMutationVariables>;
export const ConsoleRunDocument = new TypedDocumentString(`
    query ConsoleRun($id: ID!) {
  run(id: $id) {
    id
    action
    status
    statusReason
    checkMode
    playbook
    queuePosition
    notBefore
    notAfter
    queuedAt
    startedAt
    finishedAt
    lastSeq
    product {
      slug
      name
    }
    service {
      id
      customerRef
      status
    }
    counters {
      ok
      changed
      failed
      skipped
      rescued
      unreachable
    }
    progress {
      tasksStarted
      tasksDone
      currentTask
      currentHost
    }
    compensatesRun {
      id
      status
    }
    compensatedBy {
      id
      status
    }
    retryOf {
      id
      status
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRunQuery, ConsoleRunQueryVariables>;
export const ConsoleRunLogDocument = new TypedDocumentString(`
    query ConsoleRunLog($id: ID!) {
  run(id: $id) {
    id
    log
  }
}
    `) as unknown as TypedDocumentString<ConsoleRunLogQuery, ConsoleRunLogQueryVariables>;
export const ConsoleRunUpdatedDocument = new TypedDocumentString(`
    subscription ConsoleRunUpdated($runId: ID!) {
  runUpdated(runId: $runId) {
    status
    lastSeq
    terminal
  }
}
    `) as unknown as TypedDocumentString<ConsoleRunUpdatedSubscription, ConsoleRunUpdatedSubscriptionVariables>;
export const ConsoleRunEventsDocument = new TypedDocumentString(`
    subscription ConsoleRunEvents($runId: ID!, $afterSeq: Int) {
  runEvents(runId: $runId, afterSeq: $afterSeq) {
    seq
    type
    task
    host
    section
    changed
    createdAt
    data
  }
}
    `) as unknown as TypedDocumentString<ConsoleRunEventsSubscription, ConsoleRunEventsSubscriptionVariables>;
export const ConsoleCancelRunDocument = new TypedDocumentString(`
    mutation ConsoleCancelRun($id: ID!) {
  cancelRun(id: $id) {
    __typename
    ... on CancelRunSuccess {
      run {
        id
        status
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleCancelRunMutation, ConsoleCancelRunMutationVariables>;
export const ConsoleRetryRunDocument = new TypedDocumentString(`
    mutation ConsoleRetryRun($id: ID!) {
  retryRun(id: $id) {
    __typename
    ... on RetryRunSuccess {
      run {
        id
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRetryRunMutation, ConsoleRetryRunMutationVariables>;
export const ConsoleRunsDocument = new TypedDocumentString(`
    query ConsoleRuns($filter: RunFilter) {
  runs(first: 100, filter: $filter) {
    totalCount
    nodes {
      id
      action
      actionName
      status
      checkMode
      queuePosition
      queuedAt
      product {
        slug
      }
      service {
        customerRef
      }
      progress {
        tasksStarted
        tasksDone
        currentTask
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRunsQuery, ConsoleRunsQueryVariables>;
export const ConsoleServicesDocument = new TypedDocumentString(`
    query ConsoleServices($filter: ServiceFilter) {
  services(first: 100, filter: $filter) {
    totalCount
    nodes {
      id
      customerRef
      status
      statusReason
      syncState
      updatedAt
      product {
        slug
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleServicesQuery, ConsoleServicesQueryVariables>;
export const ConsoleProductSlugsDocument = new TypedDocumentString(`
    query ConsoleProductSlugs {
  products(first: 100) {
    nodes {
      slug
      name
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleProductSlugsQuery, ConsoleProductSlugsQueryVariables>;
export const ConsoleServiceDocument = new TypedDocumentString(`
    query ConsoleService($id: ID!) {
  service(id: $id) {
    id
    customerRef
    status
    statusReason
    createdAt
    outputs
    syncState
    syncCheckedAt
    lastSyncCheck {
      id
      status
    }
    syncDiffs {
      seq
      task
      host
      data
    }
    productRevision
    upgradeAvailable
    product {
      revision
    }
    product {
      slug
      name
    }
    inventoryItems {
      id
      kind
      identifier
      status
    }
    runs(first: 50) {
      nodes {
        id
        action
        actionName
        status
        checkMode
        queuedAt
        finishedAt
        statusReason
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleServiceQuery, ConsoleServiceQueryVariables>;
export const ConsoleCheckServiceSyncDocument = new TypedDocumentString(`
    mutation ConsoleCheckServiceSync($id: ID!, $revision: RevisionChoice!) {
  checkServiceSync(id: $id, revision: $revision) {
    __typename
    ... on CheckServiceSyncSuccess {
      started {
        run {
          id
        }
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleCheckServiceSyncMutation, ConsoleCheckServiceSyncMutationVariables>;
export const ConsoleRedeployServiceDocument = new TypedDocumentString(`
    mutation ConsoleRedeployService($id: ID!, $revision: RevisionChoice!) {
  redeployService(id: $id, revision: $revision) {
    __typename
    ... on RedeployServiceSuccess {
      started {
        run {
          id
        }
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRedeployServiceMutation, ConsoleRedeployServiceMutationVariables>;