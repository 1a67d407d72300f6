/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ConsoleViewer {\n    viewer { keyName role }\n  }\n": typeof types.ConsoleViewerDocument,
    "\n  query ConsoleAttention {\n    services(first: 50, filter: { status: NEEDS_ATTENTION }) { totalCount nodes { id customerRef statusReason updatedAt product { slug } } }\n    quarantined: inventoryItems(first: 50, filter: { status: QUARANTINED }) { totalCount nodes { id kind identifier statusReason } }\n    running: runs(first: 50, filter: { status: RUNNING }) { totalCount nodes { id action status product { slug } service { customerRef } progress { tasksStarted currentTask } } }\n    queued: runs(first: 50, filter: { status: QUEUED }) { totalCount nodes { id action status queuePosition product { slug } service { customerRef } } }\n    lowPools { id slug pool { provisionsLeft alertBelow lowSince requirements { kind available } } }\n  }\n": typeof types.ConsoleAttentionDocument,
    "\n  query ConsoleBulkOperations {\n    bulkOperations(first: 20) {\n      nodes { id kind revision selection state skipped createdAt cancelledAt progress { total queued running done succeeded failed inSync drifted } }\n    }\n  }\n": typeof types.ConsoleBulkOperationsDocument,
    "\n  mutation ConsoleStartBulkOperation($input: StartBulkOperationInput!) {\n    startBulkOperation(input: $input) { __typename ... on StartBulkOperationSuccess { bulkOperation { id } } ... on Error { message } }\n  }\n": typeof types.ConsoleStartBulkOperationDocument,
    "\n  mutation ConsoleCancelBulkOperation($id: ID!) {\n    cancelBulkOperation(id: $id) { __typename ... on CancelBulkOperationSuccess { bulkOperation { id } } ... on Error { message } }\n  }\n": typeof types.ConsoleCancelBulkOperationDocument,
    "\n  query ConsolePools {\n    inventoryPools { kind total available reserved inUse quarantined retired }\n  }\n": typeof types.ConsolePoolsDocument,
    "\n  subscription ConsolePoolChanged {\n    inventoryPoolChanged { kind total available reserved inUse quarantined retired }\n  }\n": typeof types.ConsolePoolChangedDocument,
    "\n  query ConsoleItems($filter: InventoryFilter) {\n    inventoryItems(first: 100, filter: $filter) { totalCount nodes { id kind identifier status statusReason attributes } }\n  }\n": typeof types.ConsoleItemsDocument,
    "\n  mutation ConsoleAddItems($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { message rows { index identifier message } }\n      ... on Error { message }\n    }\n  }\n": typeof types.ConsoleAddItemsDocument,
    "\n  mutation ConsoleRelease($id: ID!) {\n    releaseInventoryItem(id: $id) { __typename ... on Error { message } }\n  }\n": typeof types.ConsoleReleaseDocument,
    "\n  mutation ConsoleRetire($id: ID!) {\n    retireInventoryItem(id: $id) { __typename ... on Error { message } }\n  }\n": typeof types.ConsoleRetireDocument,
    "\n  query ConsoleProducts {\n    products(first: 100) { nodes { slug name description inventoryRequirements { kind count } } }\n  }\n": typeof types.ConsoleProductsDocument,
    "\n  query ConsoleProduct($slug: String!) {\n    product(slug: $slug) { slug name description variableSchema secretVariables inventoryRequirements { kind count } }\n  }\n": typeof types.ConsoleProductDocument,
    "\n  mutation ConsoleProvision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess { started { run { id } } }\n      ... on ValidationError { message issues { path message } }\n      ... on Error { message }\n    }\n  }\n": typeof types.ConsoleProvisionDocument,
    "\n  query ConsoleRun($id: ID!) {\n    run(id: $id) {\n      id action status statusReason checkMode playbook queuePosition notBefore notAfter queuedAt startedAt finishedAt lastSeq\n      product { slug name }\n      service { id customerRef status }\n      counters { ok changed failed skipped rescued unreachable }\n      progress { tasksStarted tasksDone currentTask currentHost }\n      compensatesRun { id status }\n      compensatedBy { id status }\n      retryOf { id status }\n    }\n  }\n": typeof types.ConsoleRunDocument,
    "\n  query ConsoleRunLog($id: ID!) {\n    run(id: $id) { id log }\n  }\n": typeof types.ConsoleRunLogDocument,
    "\n  subscription ConsoleRunUpdated($runId: ID!) {\n    runUpdated(runId: $runId) { status lastSeq terminal }\n  }\n": typeof types.ConsoleRunUpdatedDocument,
    "\n  subscription ConsoleRunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type task host section changed createdAt data }\n  }\n": typeof types.ConsoleRunEventsDocument,
    "\n  mutation ConsoleCancelRun($id: ID!) {\n    cancelRun(id: $id) { __typename ... on CancelRunSuccess { run { id status } } ... on Error { message } }\n  }\n": typeof types.ConsoleCancelRunDocument,
    "\n  mutation ConsoleRetryRun($id: ID!) {\n    retryRun(id: $id) { __typename ... on RetryRunSuccess { run { id } } ... on Error { message } }\n  }\n": typeof types.ConsoleRetryRunDocument,
    "\n  query ConsoleRuns($filter: RunFilter) {\n    runs(first: 100, filter: $filter) {\n      totalCount\n      nodes { id action actionName status checkMode queuePosition queuedAt product { slug } service { customerRef } progress { tasksStarted tasksDone currentTask } }\n    }\n  }\n": typeof types.ConsoleRunsDocument,
    "\n  query ConsoleServices($filter: ServiceFilter) {\n    services(first: 100, filter: $filter) { totalCount nodes { id customerRef status statusReason syncState updatedAt product { slug } } }\n  }\n": typeof types.ConsoleServicesDocument,
    "\n  query ConsoleProductSlugs {\n    products(first: 100) { nodes { slug name } }\n  }\n": typeof types.ConsoleProductSlugsDocument,
    "\n  query ConsoleService($id: ID!) {\n    service(id: $id) {\n      id customerRef status statusReason createdAt outputs\n      syncState syncCheckedAt lastSyncCheck { id status } syncDiffs { seq task host data } productRevision upgradeAvailable product { revision }\n      product { slug name }\n      inventoryItems { id kind identifier status }\n      runs(first: 50) { nodes { id action actionName status checkMode queuedAt finishedAt statusReason } }\n    }\n  }\n": typeof types.ConsoleServiceDocument,
    "\n  mutation ConsoleCheckServiceSync($id: ID!, $revision: RevisionChoice!) {\n    checkServiceSync(id: $id, revision: $revision) { __typename ... on CheckServiceSyncSuccess { started { run { id } } } ... on Error { message } }\n  }\n": typeof types.ConsoleCheckServiceSyncDocument,
    "\n  mutation ConsoleRedeployService($id: ID!, $revision: RevisionChoice!) {\n    redeployService(id: $id, revision: $revision) { __typename ... on RedeployServiceSuccess { started { run { id } } } ... on Error { message } }\n  }\n": typeof types.ConsoleRedeployServiceDocument,
};
const documents: Documents = {
    "\n  query ConsoleViewer {\n    viewer { keyName role }\n  }\n": types.ConsoleViewerDocument,
    "\n  query ConsoleAttention {\n    services(first: 50, filter: { status: NEEDS_ATTENTION }) { totalCount nodes { id customerRef statusReason updatedAt product { slug } } }\n    quarantined: inventoryItems(first: 50, filter: { status: QUARANTINED }) { totalCount nodes { id kind identifier statusReason } }\n    running: runs(first: 50, filter: { status: RUNNING }) { totalCount nodes { id action status product { slug } service { customerRef } progress { tasksStarted currentTask } } }\n    queued: runs(first: 50, filter: { status: QUEUED }) { totalCount nodes { id action status queuePosition product { slug } service { customerRef } } }\n    lowPools { id slug pool { provisionsLeft alertBelow lowSince requirements { kind available } } }\n  }\n": types.ConsoleAttentionDocument,
    "\n  query ConsoleBulkOperations {\n    bulkOperations(first: 20) {\n      nodes { id kind revision selection state skipped createdAt cancelledAt progress { total queued running done succeeded failed inSync drifted } }\n    }\n  }\n": types.ConsoleBulkOperationsDocument,
    "\n  mutation ConsoleStartBulkOperation($input: StartBulkOperationInput!) {\n    startBulkOperation(input: $input) { __typename ... on StartBulkOperationSuccess { bulkOperation { id } } ... on Error { message } }\n  }\n": types.ConsoleStartBulkOperationDocument,
    "\n  mutation ConsoleCancelBulkOperation($id: ID!) {\n    cancelBulkOperation(id: $id) { __typename ... on CancelBulkOperationSuccess { bulkOperation { id } } ... on Error { message } }\n  }\n": types.ConsoleCancelBulkOperationDocument,
    "\n  query ConsolePools {\n    inventoryPools { kind total available reserved inUse quarantined retired }\n  }\n": types.ConsolePoolsDocument,
    "\n  subscription ConsolePoolChanged {\n    inventoryPoolChanged { kind total available reserved inUse quarantined retired }\n  }\n": types.ConsolePoolChangedDocument,
    "\n  query ConsoleItems($filter: InventoryFilter) {\n    inventoryItems(first: 100, filter: $filter) { totalCount nodes { id kind identifier status statusReason attributes } }\n  }\n": types.ConsoleItemsDocument,
    "\n  mutation ConsoleAddItems($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { message rows { index identifier message } }\n      ... on Error { message }\n    }\n  }\n": types.ConsoleAddItemsDocument,
    "\n  mutation ConsoleRelease($id: ID!) {\n    releaseInventoryItem(id: $id) { __typename ... on Error { message } }\n  }\n": types.ConsoleReleaseDocument,
    "\n  mutation ConsoleRetire($id: ID!) {\n    retireInventoryItem(id: $id) { __typename ... on Error { message } }\n  }\n": types.ConsoleRetireDocument,
    "\n  query ConsoleProducts {\n    products(first: 100) { nodes { slug name description inventoryRequirements { kind count } } }\n  }\n": types.ConsoleProductsDocument,
    "\n  query ConsoleProduct($slug: String!) {\n    product(slug: $slug) { slug name description variableSchema secretVariables inventoryRequirements { kind count } }\n  }\n": types.ConsoleProductDocument,
    "\n  mutation ConsoleProvision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess { started { run { id } } }\n      ... on ValidationError { message issues { path message } }\n      ... on Error { message }\n    }\n  }\n": types.ConsoleProvisionDocument,
    "\n  query ConsoleRun($id: ID!) {\n    run(id: $id) {\n      id action status statusReason checkMode playbook queuePosition notBefore notAfter queuedAt startedAt finishedAt lastSeq\n      product { slug name }\n      service { id customerRef status }\n      counters { ok changed failed skipped rescued unreachable }\n      progress { tasksStarted tasksDone currentTask currentHost }\n      compensatesRun { id status }\n      compensatedBy { id status }\n      retryOf { id status }\n    }\n  }\n": types.ConsoleRunDocument,
    "\n  query ConsoleRunLog($id: ID!) {\n    run(id: $id) { id log }\n  }\n": types.ConsoleRunLogDocument,
    "\n  subscription ConsoleRunUpdated($runId: ID!) {\n    runUpdated(runId: $runId) { status lastSeq terminal }\n  }\n": types.ConsoleRunUpdatedDocument,
    "\n  subscription ConsoleRunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type task host section changed createdAt data }\n  }\n": types.ConsoleRunEventsDocument,
    "\n  mutation ConsoleCancelRun($id: ID!) {\n    cancelRun(id: $id) { __typename ... on CancelRunSuccess { run { id status } } ... on Error { message } }\n  }\n": types.ConsoleCancelRunDocument,
    "\n  mutation ConsoleRetryRun($id: ID!) {\n    retryRun(id: $id) { __typename ... on RetryRunSuccess { run { id } } ... on Error { message } }\n  }\n": types.ConsoleRetryRunDocument,
    "\n  query ConsoleRuns($filter: RunFilter) {\n    runs(first: 100, filter: $filter) {\n      totalCount\n      nodes { id action actionName status checkMode queuePosition queuedAt product { slug } service { customerRef } progress { tasksStarted tasksDone currentTask } }\n    }\n  }\n": types.ConsoleRunsDocument,
    "\n  query ConsoleServices($filter: ServiceFilter) {\n    services(first: 100, filter: $filter) { totalCount nodes { id customerRef status statusReason syncState updatedAt product { slug } } }\n  }\n": types.ConsoleServicesDocument,
    "\n  query ConsoleProductSlugs {\n    products(first: 100) { nodes { slug name } }\n  }\n": types.ConsoleProductSlugsDocument,
    "\n  query ConsoleService($id: ID!) {\n    service(id: $id) {\n      id customerRef status statusReason createdAt outputs\n      syncState syncCheckedAt lastSyncCheck { id status } syncDiffs { seq task host data } productRevision upgradeAvailable product { revision }\n      product { slug name }\n      inventoryItems { id kind identifier status }\n      runs(first: 50) { nodes { id action actionName status checkMode queuedAt finishedAt statusReason } }\n    }\n  }\n": types.ConsoleServiceDocument,
    "\n  mutation ConsoleCheckServiceSync($id: ID!, $revision: RevisionChoice!) {\n    checkServiceSync(id: $id, revision: $revision) { __typename ... on CheckServiceSyncSuccess { started { run { id } } } ... on Error { message } }\n  }\n": types.ConsoleCheckServiceSyncDocument,
    "\n  mutation ConsoleRedeployService($id: ID!, $revision: RevisionChoice!) {\n    redeployService(id: $id, revision: $revision) { __typename ... on RedeployServiceSuccess { started { run { id } } } ... on Error { message } }\n  }\n": types.ConsoleRedeployServiceDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleViewer {\n    viewer { keyName role }\n  }\n"): typeof import('./graphql.ts').ConsoleViewerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleAttention {\n    services(first: 50, filter: { status: NEEDS_ATTENTION }) { totalCount nodes { id customerRef statusReason updatedAt product { slug } } }\n    quarantined: inventoryItems(first: 50, filter: { status: QUARANTINED }) { totalCount nodes { id kind identifier statusReason } }\n    running: runs(first: 50, filter: { status: RUNNING }) { totalCount nodes { id action status product { slug } service { customerRef } progress { tasksStarted currentTask } } }\n    queued: runs(first: 50, filter: { status: QUEUED }) { totalCount nodes { id action status queuePosition product { slug } service { customerRef } } }\n    lowPools { id slug pool { provisionsLeft alertBelow lowSince requirements { kind available } } }\n  }\n"): typeof import('./graphql.ts').ConsoleAttentionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleBulkOperations {\n    bulkOperations(first: 20) {\n      nodes { id kind revision selection state skipped createdAt cancelledAt progress { total queued running done succeeded failed inSync drifted } }\n    }\n  }\n"): typeof import('./graphql.ts').ConsoleBulkOperationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleStartBulkOperation($input: StartBulkOperationInput!) {\n    startBulkOperation(input: $input) { __typename ... on StartBulkOperationSuccess { bulkOperation { id } } ... on Error { message } }\n  }\n"): typeof import('./graphql.ts').ConsoleStartBulkOperationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCancelBulkOperation($id: ID!) {\n    cancelBulkOperation(id: $id) { __typename ... on CancelBulkOperationSuccess { bulkOperation { id } } ... on Error { message } }\n  }\n"): typeof import('./graphql.ts').ConsoleCancelBulkOperationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsolePools {\n    inventoryPools { kind total available reserved inUse quarantined retired }\n  }\n"): typeof import('./graphql.ts').ConsolePoolsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsolePoolChanged {\n    inventoryPoolChanged { kind total available reserved inUse quarantined retired }\n  }\n"): typeof import('./graphql.ts').ConsolePoolChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleItems($filter: InventoryFilter) {\n    inventoryItems(first: 100, filter: $filter) { totalCount nodes { id kind identifier status statusReason attributes } }\n  }\n"): typeof import('./graphql.ts').ConsoleItemsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleAddItems($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { message rows { index identifier message } }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.ts').ConsoleAddItemsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRelease($id: ID!) {\n    releaseInventoryItem(id: $id) { __typename ... on Error { message } }\n  }\n"): typeof import('./graphql.ts').ConsoleReleaseDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRetire($id: ID!) {\n    retireInventoryItem(id: $id) { __typename ... on Error { message } }\n  }\n"): typeof import('./graphql.ts').ConsoleRetireDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleProducts {\n    products(first: 100) { nodes { slug name description inventoryRequirements { kind count } } }\n  }\n"): typeof import('./graphql.ts').ConsoleProductsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleProduct($slug: String!) {\n    product(slug: $slug) { slug name description variableSchema secretVariables inventoryRequirements { kind count } }\n  }\n"): typeof import('./graphql.ts').ConsoleProductDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleProvision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess { started { run { id } } }\n      ... on ValidationError { message issues { path message } }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.ts').ConsoleProvisionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleRun($id: ID!) {\n    run(id: $id) {\n      id action status statusReason checkMode playbook queuePosition notBefore notAfter queuedAt startedAt finishedAt lastSeq\n      product { slug name }\n      service { id customerRef status }\n      counters { ok changed failed skipped rescued unreachable }\n      progress { tasksStarted tasksDone currentTask currentHost }\n      compensatesRun { id status }\n      compensatedBy { id status }\n      retryOf { id status }\n    }\n  }\n"): typeof import('./graphql.ts').ConsoleRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleRunLog($id: ID!) {\n    run(id: $id) { id log }\n  }\n"): typeof import('./graphql.ts').ConsoleRunLogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleRunUpdated($runId: ID!) {\n    runUpdated(runId: $runId) { status lastSeq terminal }\n  }\n"): typeof import('./graphql.ts').ConsoleRunUpdatedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleRunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type task host section changed createdAt data }\n  }\n"): typeof import('./graphql.ts').ConsoleRunEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCancelRun($id: ID!) {\n    cancelRun(id: $id) { __typename ... on CancelRunSuccess { run { id status } } ... on Error { message } }\n  }\n"): typeof import('./graphql.ts').ConsoleCancelRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRetryRun($id: ID!) {\n    retryRun(id: $id) { __typename ... on RetryRunSuccess { run { id } } ... on Error { message } }\n  }\n"): typeof import('./graphql.ts').ConsoleRetryRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleRuns($filter: RunFilter) {\n    runs(first: 100, filter: $filter) {\n      totalCount\n      nodes { id action actionName status checkMode queuePosition queuedAt product { slug } service { customerRef } progress { tasksStarted tasksDone currentTask } }\n    }\n  }\n"): typeof import('./graphql.ts').ConsoleRunsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleServices($filter: ServiceFilter) {\n    services(first: 100, filter: $filter) { totalCount nodes { id customerRef status statusReason syncState updatedAt product { slug } } }\n  }\n"): typeof import('./graphql.ts').ConsoleServicesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleProductSlugs {\n    products(first: 100) { nodes { slug name } }\n  }\n"): typeof import('./graphql.ts').ConsoleProductSlugsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleService($id: ID!) {\n    service(id: $id) {\n      id customerRef status statusReason createdAt outputs\n      syncState syncCheckedAt lastSyncCheck { id status } syncDiffs { seq task host data } productRevision upgradeAvailable product { revision }\n      product { slug name }\n      inventoryItems { id kind identifier status }\n      runs(first: 50) { nodes { id action actionName status checkMode queuedAt finishedAt statusReason } }\n    }\n  }\n"): typeof import('./graphql.ts').ConsoleServiceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCheckServiceSync($id: ID!, $revision: RevisionChoice!) {\n    checkServiceSync(id: $id, revision: $revision) { __typename ... on CheckServiceSyncSuccess { started { run { id } } } ... on Error { message } }\n  }\n"): typeof import('./graphql.ts').ConsoleCheckServiceSyncDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRedeployService($id: ID!, $revision: RevisionChoice!) {\n    redeployService(id: $id, revision: $revision) { __typename ... on RedeployServiceSuccess { started { run { id } } } ... on Error { message } }\n  }\n"): typeof import('./graphql.ts').ConsoleRedeployServiceDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
