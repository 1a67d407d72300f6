/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

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
    "query WhoAmI { viewer { keyName role partner { slug } } }": typeof types.WhoAmIDocument,
    "query Keys { apiKeys { nodes { id name prefix status lastUsedAt } } }": typeof types.KeysDocument,
    "mutation Revoke($id: ID!) { revokeApiKey(id: $id) { __typename ... on RevokeApiKeySuccess { apiKey { status revokedAt } } } }": typeof types.RevokeDocument,
    "\n      mutation Rotate($id: ID!, $overlapSeconds: Int) {\n        rotateApiKey(id: $id, overlapSeconds: $overlapSeconds) {\n          __typename\n          ... on RotateApiKeySuccess { issued { key apiKey { id name role rotatedFrom { id } } } }\n          ... on ValidationError { issues { path message } }\n        }\n      }\n    ": typeof types.RotateDocument,
    "mutation BadKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on ValidationError { issues { path message } } } }": typeof types.BadKeyDocument,
    "\n    query Audit($filter: AuditFilter) {\n      auditLog(filter: $filter, first: 20) {\n        totalCount\n        nodes { operation operationName keyName role resultType resultId arguments partner { slug } }\n      }\n    }\n  ": typeof types.AuditDocument,
    "query MatrixRunLastSeq($id: ID!) { run(id: $id) { lastSeq } }": typeof types.MatrixRunLastSeqDocument,
    "mutation RegisterForA($partnerId: ID!, $manifest: JSONObject!) { registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) { __typename } }": typeof types.RegisterForADocument,
    "query ProductBySlug($slug: String!) { product(slug: $slug) { id name } }": typeof types.ProductBySlugDocument,
    "query NodeById($id: ID!) { node(id: $id) { __typename ... on Product { slug } } }": typeof types.NodeByIdDocument,
    "query Voip { product(slug: \"voip-line\") { id } }": typeof types.VoipDocument,
    "\n      mutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {\n        updateProduct(id: $id, input: $input) {\n          __typename\n          ... on UpdateProductSuccess { product { name runTimeoutSeconds } }\n          ... on NotFoundError { entity reference }\n          ... on ValidationError { issues { path message } }\n        }\n      }\n    ": typeof types.UpdateProductDocument,
    "mutation Archive($id: ID!) { archiveProduct(id: $id) { __typename ... on ArchiveProductSuccess { product { archived } } } }": typeof types.ArchiveDocument,
    "query Fibre { product(slug: \"fibre-broadband\") { id version } }": typeof types.FibreDocument,
    "\n      mutation UpdateVersioned($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int) {\n        updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion) {\n          __typename\n          ... on UpdateProductSuccess { product { name description provisionPlaybook version } }\n          ... on ConflictError { message }\n        }\n      }\n    ": typeof types.UpdateVersionedDocument,
    "query FibreAfter { product(slug: \"fibre-broadband\") { name provisionPlaybook version } }": typeof types.FibreAfterDocument,
    "\n      mutation UpdateMasked($id: ID!, $input: UpdateProductInput!) {\n        updateProduct(id: $id, input: $input) { __typename ... on ValidationError { issues { path message } } }\n      }\n    ": typeof types.UpdateMaskedDocument,
    "mutation ProvisionMasked($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ValidationError { issues { path } } } }": typeof types.ProvisionMaskedDocument,
    "query Playbooks { playbooks { name sizeBytes } }": typeof types.PlaybooksDocument,
    "\n      mutation Release($id: ID!) {\n        releaseInventoryItem(id: $id) {\n          __typename\n          ... on ReleaseInventoryItemSuccess { item { status statusReason } }\n          ... on InvalidStateError { currentState message }\n          ... on NotFoundError { entity }\n        }\n      }\n    ": typeof types.ReleaseDocument,
    "mutation Retire($id: ID!) { retireInventoryItem(id: $id, reason: \"damaged\") { __typename ... on RetireInventoryItemSuccess { item { status statusReason } } } }": typeof types.RetireDocument,
    "query MobileId { product(slug: \"mobile-sim-plan\") { id } }": typeof types.MobileIdDocument,
    "query RawIds($id: ID!) { node(id: $id) { id } service(id: $id) { id } }": typeof types.RawIdsDocument,
    "mutation ArchiveRaw($id: ID!) { archiveProduct(id: $id) { __typename ... on ArchiveProductSuccess { product { id slug } } } }": typeof types.ArchiveRawDocument,
    "query ServiceLookup($id: ID!) { service(id: $id) { id } run(id: $id) { id } }": typeof types.ServiceLookupDocument,
    "subscription ClusterPool($kind: InventoryKind) { inventoryPoolChanged(kind: $kind) { kind available } }": typeof types.ClusterPoolDocument,
    "\n  query AllRuns { runs(first: 100) { nodes { id status action compensatesRun { id } } } }\n": typeof types.AllRunsDocument,
    "query FirstKey { viewer { role keyName } }": typeof types.FirstKeyDocument,
    "query FirstKeyAgain { viewer { role } }": typeof types.FirstKeyAgainDocument,
    "query PreviewServices { services(filter: { customerRef: \"cust-preview\" }) { totalCount } }": typeof types.PreviewServicesDocument,
    "query IdemServices { services(filter: { customerRef: \"cust-idem\" }) { totalCount } }": typeof types.IdemServicesDocument,
    "\n  mutation Cancel($id: ID!) {\n    cancelRun(id: $id) {\n      __typename\n      ... on CancelRunSuccess { run { id status } }\n      ... on InvalidStateError { currentState message }\n    }\n  }\n": typeof types.CancelDocument,
    "\n  mutation Retry($id: ID!) {\n    retryRun(id: $id) {\n      __typename\n      ... on RetryRunSuccess { run { id status action retryOf { id } } }\n      ... on InvalidStateError { currentState message }\n    }\n  }\n": typeof types.RetryDocument,
    "\n  query Compensation($id: ID!) {\n    run(id: $id) { status statusReason compensatedBy { id action status } }\n  }\n": typeof types.CompensationDocument,
    "mutation Prune($days: Float!) { pruneRunHistory(olderThanDays: $days) { __typename ... on PruneRunHistorySuccess { pruned { runs events } } ... on ValidationError { issues { path } } } }": typeof types.PruneDocument,
    "mutation Big($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ValidationError { issues { path message } } } }": typeof types.BigDocument,
    "subscription RunUpdated($runId: ID!) {\n              runUpdated(runId: $runId) { status terminal lastSeq run { counters { ok } progress { tasksStarted tasksDone currentTask currentHost } } }\n            }": typeof types.RunUpdatedDocument,
    "\n  mutation RegisterDocuments($partnerId: ID!, $manifest: JSONObject!) {\n    registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) {\n      __typename\n      ... on RegisterTrustedDocumentsSuccess { registered }\n      ... on Error { message }\n    }\n  }\n": typeof types.RegisterDocumentsDocument,
    "\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on CreateApiKeySuccess { issued { key apiKey { id name role prefix status partner { slug } } } }\n      ... on Error { message }\n    }\n  }\n": typeof types.CreateKeyDocument,
    "\n  mutation CreatePartner($input: CreatePartnerInput!) {\n    createPartner(input: $input) {\n      __typename\n      ... on CreatePartnerSuccess { partner { id slug } }\n      ... on Error { message }\n    }\n  }\n": typeof types.CreatePartnerDocument,
    "\n  mutation GrantProducts($partnerId: ID!, $productIds: [ID!]!) {\n    grantProducts(partnerId: $partnerId, productIds: $productIds) {\n      __typename\n      ... on GrantProductsSuccess { partner { products { slug } } }\n      ... on Error { message }\n    }\n  }\n": typeof types.GrantProductsDocument,
    "\n  query Products($includeArchived: Boolean) {\n    products(includeArchived: $includeArchived) {\n      totalCount\n      nodes {\n        id\n        slug\n        name\n        provisionPlaybook\n        deprovisionPlaybook\n        defaultVariables\n        secretVariables\n        archived\n        inventoryRequirements { kind count match }\n      }\n    }\n  }\n": typeof types.ProductsDocument,
    "\n  mutation CreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) {\n      __typename\n      ... on CreateProductSuccess { product { id slug name provisionPlaybook runTimeoutSeconds defaultVariables variableSchema secretVariables } }\n      ... on ValidationError { message issues { path message } }\n      ... on ConflictError { message }\n    }\n  }\n": typeof types.CreateProductDocument,
    "\n  mutation AddInventory($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { message rows { index identifier message } }\n      ... on ValidationError { message issues { path message } }\n    }\n  }\n": typeof types.AddInventoryDocument,
    "\n  query Inventory($filter: InventoryFilter, $first: Int) {\n    inventoryItems(filter: $filter, first: $first) {\n      totalCount\n      nodes { id kind identifier attributes secretAttributesSet status statusReason }\n    }\n  }\n": typeof types.InventoryDocument,
    "\n  query Pools {\n    inventoryPools { kind available reserved inUse quarantined retired total }\n  }\n": typeof types.PoolsDocument,
    "\n  mutation Provision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess {\n        started {\n          service { id status customerRef }\n          run { id status action checkMode }\n        }\n      }\n      ... on Error { message }\n      ... on ValidationError { issues { path message } }\n      ... on InsufficientInventoryError { kind requested available }\n    }\n  }\n": typeof types.ProvisionDocument,
    "\n  mutation Deprovision($id: ID!, $checkMode: Boolean) {\n    deprovisionService(id: $id, checkMode: $checkMode) {\n      __typename\n      ... on DeprovisionServiceSuccess { started { service { id status } run { id status action checkMode } } }\n      ... on Error { message }\n    }\n  }\n": typeof types.DeprovisionDocument,
    "\n  query Run($id: ID!) {\n    run(id: $id) {\n      id\n      status\n      statusReason\n      action\n      checkMode\n      exitCode\n      lastSeq\n      log\n      queuePosition\n      counters { ok changed failed skipped rescued unreachable }\n      service {\n        id\n        status\n        statusReason\n        variables\n        outputs\n        inventoryItems { id kind identifier status }\n      }\n    }\n  }\n": typeof types.RunDocument,
    "\n  query RunEventsPage($id: ID!, $first: Int, $after: String) {\n    run(id: $id) {\n      events(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { seq type task host section changed data }\n      }\n    }\n  }\n": typeof types.RunEventsPageDocument,
    "\n  subscription RunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type task section changed data }\n  }\n": typeof types.RunEventsDocument,
    "\n  subscription PoolChanged($kind: InventoryKind) {\n    inventoryPoolChanged(kind: $kind) { kind available total }\n  }\n": typeof types.PoolChangedDocument,
};
const documents: Documents = {
    "query WhoAmI { viewer { keyName role partner { slug } } }": types.WhoAmIDocument,
    "query Keys { apiKeys { nodes { id name prefix status lastUsedAt } } }": types.KeysDocument,
    "mutation Revoke($id: ID!) { revokeApiKey(id: $id) { __typename ... on RevokeApiKeySuccess { apiKey { status revokedAt } } } }": types.RevokeDocument,
    "\n      mutation Rotate($id: ID!, $overlapSeconds: Int) {\n        rotateApiKey(id: $id, overlapSeconds: $overlapSeconds) {\n          __typename\n          ... on RotateApiKeySuccess { issued { key apiKey { id name role rotatedFrom { id } } } }\n          ... on ValidationError { issues { path message } }\n        }\n      }\n    ": types.RotateDocument,
    "mutation BadKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on ValidationError { issues { path message } } } }": types.BadKeyDocument,
    "\n    query Audit($filter: AuditFilter) {\n      auditLog(filter: $filter, first: 20) {\n        totalCount\n        nodes { operation operationName keyName role resultType resultId arguments partner { slug } }\n      }\n    }\n  ": types.AuditDocument,
    "query MatrixRunLastSeq($id: ID!) { run(id: $id) { lastSeq } }": types.MatrixRunLastSeqDocument,
    "mutation RegisterForA($partnerId: ID!, $manifest: JSONObject!) { registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) { __typename } }": types.RegisterForADocument,
    "query ProductBySlug($slug: String!) { product(slug: $slug) { id name } }": types.ProductBySlugDocument,
    "query NodeById($id: ID!) { node(id: $id) { __typename ... on Product { slug } } }": types.NodeByIdDocument,
    "query Voip { product(slug: \"voip-line\") { id } }": types.VoipDocument,
    "\n      mutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {\n        updateProduct(id: $id, input: $input) {\n          __typename\n          ... on UpdateProductSuccess { product { name runTimeoutSeconds } }\n          ... on NotFoundError { entity reference }\n          ... on ValidationError { issues { path message } }\n        }\n      }\n    ": types.UpdateProductDocument,
    "mutation Archive($id: ID!) { archiveProduct(id: $id) { __typename ... on ArchiveProductSuccess { product { archived } } } }": types.ArchiveDocument,
    "query Fibre { product(slug: \"fibre-broadband\") { id version } }": types.FibreDocument,
    "\n      mutation UpdateVersioned($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int) {\n        updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion) {\n          __typename\n          ... on UpdateProductSuccess { product { name description provisionPlaybook version } }\n          ... on ConflictError { message }\n        }\n      }\n    ": types.UpdateVersionedDocument,
    "query FibreAfter { product(slug: \"fibre-broadband\") { name provisionPlaybook version } }": types.FibreAfterDocument,
    "\n      mutation UpdateMasked($id: ID!, $input: UpdateProductInput!) {\n        updateProduct(id: $id, input: $input) { __typename ... on ValidationError { issues { path message } } }\n      }\n    ": types.UpdateMaskedDocument,
    "mutation ProvisionMasked($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ValidationError { issues { path } } } }": types.ProvisionMaskedDocument,
    "query Playbooks { playbooks { name sizeBytes } }": types.PlaybooksDocument,
    "\n      mutation Release($id: ID!) {\n        releaseInventoryItem(id: $id) {\n          __typename\n          ... on ReleaseInventoryItemSuccess { item { status statusReason } }\n          ... on InvalidStateError { currentState message }\n          ... on NotFoundError { entity }\n        }\n      }\n    ": types.ReleaseDocument,
    "mutation Retire($id: ID!) { retireInventoryItem(id: $id, reason: \"damaged\") { __typename ... on RetireInventoryItemSuccess { item { status statusReason } } } }": types.RetireDocument,
    "query MobileId { product(slug: \"mobile-sim-plan\") { id } }": types.MobileIdDocument,
    "query RawIds($id: ID!) { node(id: $id) { id } service(id: $id) { id } }": types.RawIdsDocument,
    "mutation ArchiveRaw($id: ID!) { archiveProduct(id: $id) { __typename ... on ArchiveProductSuccess { product { id slug } } } }": types.ArchiveRawDocument,
    "query ServiceLookup($id: ID!) { service(id: $id) { id } run(id: $id) { id } }": types.ServiceLookupDocument,
    "subscription ClusterPool($kind: InventoryKind) { inventoryPoolChanged(kind: $kind) { kind available } }": types.ClusterPoolDocument,
    "\n  query AllRuns { runs(first: 100) { nodes { id status action compensatesRun { id } } } }\n": types.AllRunsDocument,
    "query FirstKey { viewer { role keyName } }": types.FirstKeyDocument,
    "query FirstKeyAgain { viewer { role } }": types.FirstKeyAgainDocument,
    "query PreviewServices { services(filter: { customerRef: \"cust-preview\" }) { totalCount } }": types.PreviewServicesDocument,
    "query IdemServices { services(filter: { customerRef: \"cust-idem\" }) { totalCount } }": types.IdemServicesDocument,
    "\n  mutation Cancel($id: ID!) {\n    cancelRun(id: $id) {\n      __typename\n      ... on CancelRunSuccess { run { id status } }\n      ... on InvalidStateError { currentState message }\n    }\n  }\n": types.CancelDocument,
    "\n  mutation Retry($id: ID!) {\n    retryRun(id: $id) {\n      __typename\n      ... on RetryRunSuccess { run { id status action retryOf { id } } }\n      ... on InvalidStateError { currentState message }\n    }\n  }\n": types.RetryDocument,
    "\n  query Compensation($id: ID!) {\n    run(id: $id) { status statusReason compensatedBy { id action status } }\n  }\n": types.CompensationDocument,
    "mutation Prune($days: Float!) { pruneRunHistory(olderThanDays: $days) { __typename ... on PruneRunHistorySuccess { pruned { runs events } } ... on ValidationError { issues { path } } } }": types.PruneDocument,
    "mutation Big($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ValidationError { issues { path message } } } }": types.BigDocument,
    "subscription RunUpdated($runId: ID!) {\n              runUpdated(runId: $runId) { status terminal lastSeq run { counters { ok } progress { tasksStarted tasksDone currentTask currentHost } } }\n            }": types.RunUpdatedDocument,
    "\n  mutation RegisterDocuments($partnerId: ID!, $manifest: JSONObject!) {\n    registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) {\n      __typename\n      ... on RegisterTrustedDocumentsSuccess { registered }\n      ... on Error { message }\n    }\n  }\n": types.RegisterDocumentsDocument,
    "\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on CreateApiKeySuccess { issued { key apiKey { id name role prefix status partner { slug } } } }\n      ... on Error { message }\n    }\n  }\n": types.CreateKeyDocument,
    "\n  mutation CreatePartner($input: CreatePartnerInput!) {\n    createPartner(input: $input) {\n      __typename\n      ... on CreatePartnerSuccess { partner { id slug } }\n      ... on Error { message }\n    }\n  }\n": types.CreatePartnerDocument,
    "\n  mutation GrantProducts($partnerId: ID!, $productIds: [ID!]!) {\n    grantProducts(partnerId: $partnerId, productIds: $productIds) {\n      __typename\n      ... on GrantProductsSuccess { partner { products { slug } } }\n      ... on Error { message }\n    }\n  }\n": types.GrantProductsDocument,
    "\n  query Products($includeArchived: Boolean) {\n    products(includeArchived: $includeArchived) {\n      totalCount\n      nodes {\n        id\n        slug\n        name\n        provisionPlaybook\n        deprovisionPlaybook\n        defaultVariables\n        secretVariables\n        archived\n        inventoryRequirements { kind count match }\n      }\n    }\n  }\n": types.ProductsDocument,
    "\n  mutation CreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) {\n      __typename\n      ... on CreateProductSuccess { product { id slug name provisionPlaybook runTimeoutSeconds defaultVariables variableSchema secretVariables } }\n      ... on ValidationError { message issues { path message } }\n      ... on ConflictError { message }\n    }\n  }\n": types.CreateProductDocument,
    "\n  mutation AddInventory($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { message rows { index identifier message } }\n      ... on ValidationError { message issues { path message } }\n    }\n  }\n": types.AddInventoryDocument,
    "\n  query Inventory($filter: InventoryFilter, $first: Int) {\n    inventoryItems(filter: $filter, first: $first) {\n      totalCount\n      nodes { id kind identifier attributes secretAttributesSet status statusReason }\n    }\n  }\n": types.InventoryDocument,
    "\n  query Pools {\n    inventoryPools { kind available reserved inUse quarantined retired total }\n  }\n": types.PoolsDocument,
    "\n  mutation Provision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess {\n        started {\n          service { id status customerRef }\n          run { id status action checkMode }\n        }\n      }\n      ... on Error { message }\n      ... on ValidationError { issues { path message } }\n      ... on InsufficientInventoryError { kind requested available }\n    }\n  }\n": types.ProvisionDocument,
    "\n  mutation Deprovision($id: ID!, $checkMode: Boolean) {\n    deprovisionService(id: $id, checkMode: $checkMode) {\n      __typename\n      ... on DeprovisionServiceSuccess { started { service { id status } run { id status action checkMode } } }\n      ... on Error { message }\n    }\n  }\n": types.DeprovisionDocument,
    "\n  query Run($id: ID!) {\n    run(id: $id) {\n      id\n      status\n      statusReason\n      action\n      checkMode\n      exitCode\n      lastSeq\n      log\n      queuePosition\n      counters { ok changed failed skipped rescued unreachable }\n      service {\n        id\n        status\n        statusReason\n        variables\n        outputs\n        inventoryItems { id kind identifier status }\n      }\n    }\n  }\n": types.RunDocument,
    "\n  query RunEventsPage($id: ID!, $first: Int, $after: String) {\n    run(id: $id) {\n      events(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { seq type task host section changed data }\n      }\n    }\n  }\n": types.RunEventsPageDocument,
    "\n  subscription RunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type task section changed data }\n  }\n": types.RunEventsDocument,
    "\n  subscription PoolChanged($kind: InventoryKind) {\n    inventoryPoolChanged(kind: $kind) { kind available total }\n  }\n": types.PoolChangedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query WhoAmI { viewer { keyName role partner { slug } } }"): (typeof documents)["query WhoAmI { viewer { keyName role partner { slug } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Keys { apiKeys { nodes { id name prefix status lastUsedAt } } }"): (typeof documents)["query Keys { apiKeys { nodes { id name prefix status lastUsedAt } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Revoke($id: ID!) { revokeApiKey(id: $id) { __typename ... on RevokeApiKeySuccess { apiKey { status revokedAt } } } }"): (typeof documents)["mutation Revoke($id: ID!) { revokeApiKey(id: $id) { __typename ... on RevokeApiKeySuccess { apiKey { status revokedAt } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n      mutation Rotate($id: ID!, $overlapSeconds: Int) {\n        rotateApiKey(id: $id, overlapSeconds: $overlapSeconds) {\n          __typename\n          ... on RotateApiKeySuccess { issued { key apiKey { id name role rotatedFrom { id } } } }\n          ... on ValidationError { issues { path message } }\n        }\n      }\n    "): (typeof documents)["\n      mutation Rotate($id: ID!, $overlapSeconds: Int) {\n        rotateApiKey(id: $id, overlapSeconds: $overlapSeconds) {\n          __typename\n          ... on RotateApiKeySuccess { issued { key apiKey { id name role rotatedFrom { id } } } }\n          ... on ValidationError { issues { path message } }\n        }\n      }\n    "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation BadKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on ValidationError { issues { path message } } } }"): (typeof documents)["mutation BadKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on ValidationError { issues { path message } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query Audit($filter: AuditFilter) {\n      auditLog(filter: $filter, first: 20) {\n        totalCount\n        nodes { operation operationName keyName role resultType resultId arguments partner { slug } }\n      }\n    }\n  "): (typeof documents)["\n    query Audit($filter: AuditFilter) {\n      auditLog(filter: $filter, first: 20) {\n        totalCount\n        nodes { operation operationName keyName role resultType resultId arguments partner { slug } }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MatrixRunLastSeq($id: ID!) { run(id: $id) { lastSeq } }"): (typeof documents)["query MatrixRunLastSeq($id: ID!) { run(id: $id) { lastSeq } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RegisterForA($partnerId: ID!, $manifest: JSONObject!) { registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) { __typename } }"): (typeof documents)["mutation RegisterForA($partnerId: ID!, $manifest: JSONObject!) { registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) { __typename } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ProductBySlug($slug: String!) { product(slug: $slug) { id name } }"): (typeof documents)["query ProductBySlug($slug: String!) { product(slug: $slug) { id name } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query NodeById($id: ID!) { node(id: $id) { __typename ... on Product { slug } } }"): (typeof documents)["query NodeById($id: ID!) { node(id: $id) { __typename ... on Product { slug } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Voip { product(slug: \"voip-line\") { id } }"): (typeof documents)["query Voip { product(slug: \"voip-line\") { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n      mutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {\n        updateProduct(id: $id, input: $input) {\n          __typename\n          ... on UpdateProductSuccess { product { name runTimeoutSeconds } }\n          ... on NotFoundError { entity reference }\n          ... on ValidationError { issues { path message } }\n        }\n      }\n    "): (typeof documents)["\n      mutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {\n        updateProduct(id: $id, input: $input) {\n          __typename\n          ... on UpdateProductSuccess { product { name runTimeoutSeconds } }\n          ... on NotFoundError { entity reference }\n          ... on ValidationError { issues { path message } }\n        }\n      }\n    "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Archive($id: ID!) { archiveProduct(id: $id) { __typename ... on ArchiveProductSuccess { product { archived } } } }"): (typeof documents)["mutation Archive($id: ID!) { archiveProduct(id: $id) { __typename ... on ArchiveProductSuccess { product { archived } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Fibre { product(slug: \"fibre-broadband\") { id version } }"): (typeof documents)["query Fibre { product(slug: \"fibre-broadband\") { id version } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n      mutation UpdateVersioned($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int) {\n        updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion) {\n          __typename\n          ... on UpdateProductSuccess { product { name description provisionPlaybook version } }\n          ... on ConflictError { message }\n        }\n      }\n    "): (typeof documents)["\n      mutation UpdateVersioned($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int) {\n        updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion) {\n          __typename\n          ... on UpdateProductSuccess { product { name description provisionPlaybook version } }\n          ... on ConflictError { message }\n        }\n      }\n    "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FibreAfter { product(slug: \"fibre-broadband\") { name provisionPlaybook version } }"): (typeof documents)["query FibreAfter { product(slug: \"fibre-broadband\") { name provisionPlaybook version } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n      mutation UpdateMasked($id: ID!, $input: UpdateProductInput!) {\n        updateProduct(id: $id, input: $input) { __typename ... on ValidationError { issues { path message } } }\n      }\n    "): (typeof documents)["\n      mutation UpdateMasked($id: ID!, $input: UpdateProductInput!) {\n        updateProduct(id: $id, input: $input) { __typename ... on ValidationError { issues { path message } } }\n      }\n    "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ProvisionMasked($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ValidationError { issues { path } } } }"): (typeof documents)["mutation ProvisionMasked($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ValidationError { issues { path } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Playbooks { playbooks { name sizeBytes } }"): (typeof documents)["query Playbooks { playbooks { name sizeBytes } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n      mutation Release($id: ID!) {\n        releaseInventoryItem(id: $id) {\n          __typename\n          ... on ReleaseInventoryItemSuccess { item { status statusReason } }\n          ... on InvalidStateError { currentState message }\n          ... on NotFoundError { entity }\n        }\n      }\n    "): (typeof documents)["\n      mutation Release($id: ID!) {\n        releaseInventoryItem(id: $id) {\n          __typename\n          ... on ReleaseInventoryItemSuccess { item { status statusReason } }\n          ... on InvalidStateError { currentState message }\n          ... on NotFoundError { entity }\n        }\n      }\n    "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Retire($id: ID!) { retireInventoryItem(id: $id, reason: \"damaged\") { __typename ... on RetireInventoryItemSuccess { item { status statusReason } } } }"): (typeof documents)["mutation Retire($id: ID!) { retireInventoryItem(id: $id, reason: \"damaged\") { __typename ... on RetireInventoryItemSuccess { item { status statusReason } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MobileId { product(slug: \"mobile-sim-plan\") { id } }"): (typeof documents)["query MobileId { product(slug: \"mobile-sim-plan\") { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query RawIds($id: ID!) { node(id: $id) { id } service(id: $id) { id } }"): (typeof documents)["query RawIds($id: ID!) { node(id: $id) { id } service(id: $id) { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ArchiveRaw($id: ID!) { archiveProduct(id: $id) { __typename ... on ArchiveProductSuccess { product { id slug } } } }"): (typeof documents)["mutation ArchiveRaw($id: ID!) { archiveProduct(id: $id) { __typename ... on ArchiveProductSuccess { product { id slug } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ServiceLookup($id: ID!) { service(id: $id) { id } run(id: $id) { id } }"): (typeof documents)["query ServiceLookup($id: ID!) { service(id: $id) { id } run(id: $id) { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription ClusterPool($kind: InventoryKind) { inventoryPoolChanged(kind: $kind) { kind available } }"): (typeof documents)["subscription ClusterPool($kind: InventoryKind) { inventoryPoolChanged(kind: $kind) { kind available } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AllRuns { runs(first: 100) { nodes { id status action compensatesRun { id } } } }\n"): (typeof documents)["\n  query AllRuns { runs(first: 100) { nodes { id status action compensatesRun { id } } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FirstKey { viewer { role keyName } }"): (typeof documents)["query FirstKey { viewer { role keyName } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FirstKeyAgain { viewer { role } }"): (typeof documents)["query FirstKeyAgain { viewer { role } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PreviewServices { services(filter: { customerRef: \"cust-preview\" }) { totalCount } }"): (typeof documents)["query PreviewServices { services(filter: { customerRef: \"cust-preview\" }) { totalCount } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query IdemServices { services(filter: { customerRef: \"cust-idem\" }) { totalCount } }"): (typeof documents)["query IdemServices { services(filter: { customerRef: \"cust-idem\" }) { totalCount } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Cancel($id: ID!) {\n    cancelRun(id: $id) {\n      __typename\n      ... on CancelRunSuccess { run { id status } }\n      ... on InvalidStateError { currentState message }\n    }\n  }\n"): (typeof documents)["\n  mutation Cancel($id: ID!) {\n    cancelRun(id: $id) {\n      __typename\n      ... on CancelRunSuccess { run { id status } }\n      ... on InvalidStateError { currentState message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Retry($id: ID!) {\n    retryRun(id: $id) {\n      __typename\n      ... on RetryRunSuccess { run { id status action retryOf { id } } }\n      ... on InvalidStateError { currentState message }\n    }\n  }\n"): (typeof documents)["\n  mutation Retry($id: ID!) {\n    retryRun(id: $id) {\n      __typename\n      ... on RetryRunSuccess { run { id status action retryOf { id } } }\n      ... on InvalidStateError { currentState message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Compensation($id: ID!) {\n    run(id: $id) { status statusReason compensatedBy { id action status } }\n  }\n"): (typeof documents)["\n  query Compensation($id: ID!) {\n    run(id: $id) { status statusReason compensatedBy { id action status } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Prune($days: Float!) { pruneRunHistory(olderThanDays: $days) { __typename ... on PruneRunHistorySuccess { pruned { runs events } } ... on ValidationError { issues { path } } } }"): (typeof documents)["mutation Prune($days: Float!) { pruneRunHistory(olderThanDays: $days) { __typename ... on PruneRunHistorySuccess { pruned { runs events } } ... on ValidationError { issues { path } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Big($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ValidationError { issues { path message } } } }"): (typeof documents)["mutation Big($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on ValidationError { issues { path message } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription RunUpdated($runId: ID!) {\n              runUpdated(runId: $runId) { status terminal lastSeq run { counters { ok } progress { tasksStarted tasksDone currentTask currentHost } } }\n            }"): (typeof documents)["subscription RunUpdated($runId: ID!) {\n              runUpdated(runId: $runId) { status terminal lastSeq run { counters { ok } progress { tasksStarted tasksDone currentTask currentHost } } }\n            }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterDocuments($partnerId: ID!, $manifest: JSONObject!) {\n    registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) {\n      __typename\n      ... on RegisterTrustedDocumentsSuccess { registered }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterDocuments($partnerId: ID!, $manifest: JSONObject!) {\n    registerTrustedDocuments(partnerId: $partnerId, manifest: $manifest) {\n      __typename\n      ... on RegisterTrustedDocumentsSuccess { registered }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on CreateApiKeySuccess { issued { key apiKey { id name role prefix status partner { slug } } } }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on CreateApiKeySuccess { issued { key apiKey { id name role prefix status partner { slug } } } }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePartner($input: CreatePartnerInput!) {\n    createPartner(input: $input) {\n      __typename\n      ... on CreatePartnerSuccess { partner { id slug } }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePartner($input: CreatePartnerInput!) {\n    createPartner(input: $input) {\n      __typename\n      ... on CreatePartnerSuccess { partner { id slug } }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GrantProducts($partnerId: ID!, $productIds: [ID!]!) {\n    grantProducts(partnerId: $partnerId, productIds: $productIds) {\n      __typename\n      ... on GrantProductsSuccess { partner { products { slug } } }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation GrantProducts($partnerId: ID!, $productIds: [ID!]!) {\n    grantProducts(partnerId: $partnerId, productIds: $productIds) {\n      __typename\n      ... on GrantProductsSuccess { partner { products { slug } } }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Products($includeArchived: Boolean) {\n    products(includeArchived: $includeArchived) {\n      totalCount\n      nodes {\n        id\n        slug\n        name\n        provisionPlaybook\n        deprovisionPlaybook\n        defaultVariables\n        secretVariables\n        archived\n        inventoryRequirements { kind count match }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Products($includeArchived: Boolean) {\n    products(includeArchived: $includeArchived) {\n      totalCount\n      nodes {\n        id\n        slug\n        name\n        provisionPlaybook\n        deprovisionPlaybook\n        defaultVariables\n        secretVariables\n        archived\n        inventoryRequirements { kind count match }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) {\n      __typename\n      ... on CreateProductSuccess { product { id slug name provisionPlaybook runTimeoutSeconds defaultVariables variableSchema secretVariables } }\n      ... on ValidationError { message issues { path message } }\n      ... on ConflictError { message }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) {\n      __typename\n      ... on CreateProductSuccess { product { id slug name provisionPlaybook runTimeoutSeconds defaultVariables variableSchema secretVariables } }\n      ... on ValidationError { message issues { path message } }\n      ... on ConflictError { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddInventory($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { message rows { index identifier message } }\n      ... on ValidationError { message issues { path message } }\n    }\n  }\n"): (typeof documents)["\n  mutation AddInventory($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { message rows { index identifier message } }\n      ... on ValidationError { message issues { path message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Inventory($filter: InventoryFilter, $first: Int) {\n    inventoryItems(filter: $filter, first: $first) {\n      totalCount\n      nodes { id kind identifier attributes secretAttributesSet status statusReason }\n    }\n  }\n"): (typeof documents)["\n  query Inventory($filter: InventoryFilter, $first: Int) {\n    inventoryItems(filter: $filter, first: $first) {\n      totalCount\n      nodes { id kind identifier attributes secretAttributesSet status statusReason }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Pools {\n    inventoryPools { kind available reserved inUse quarantined retired total }\n  }\n"): (typeof documents)["\n  query Pools {\n    inventoryPools { kind available reserved inUse quarantined retired total }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Provision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess {\n        started {\n          service { id status customerRef }\n          run { id status action checkMode }\n        }\n      }\n      ... on Error { message }\n      ... on ValidationError { issues { path message } }\n      ... on InsufficientInventoryError { kind requested available }\n    }\n  }\n"): (typeof documents)["\n  mutation Provision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess {\n        started {\n          service { id status customerRef }\n          run { id status action checkMode }\n        }\n      }\n      ... on Error { message }\n      ... on ValidationError { issues { path message } }\n      ... on InsufficientInventoryError { kind requested available }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Deprovision($id: ID!, $checkMode: Boolean) {\n    deprovisionService(id: $id, checkMode: $checkMode) {\n      __typename\n      ... on DeprovisionServiceSuccess { started { service { id status } run { id status action checkMode } } }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation Deprovision($id: ID!, $checkMode: Boolean) {\n    deprovisionService(id: $id, checkMode: $checkMode) {\n      __typename\n      ... on DeprovisionServiceSuccess { started { service { id status } run { id status action checkMode } } }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Run($id: ID!) {\n    run(id: $id) {\n      id\n      status\n      statusReason\n      action\n      checkMode\n      exitCode\n      lastSeq\n      log\n      queuePosition\n      counters { ok changed failed skipped rescued unreachable }\n      service {\n        id\n        status\n        statusReason\n        variables\n        outputs\n        inventoryItems { id kind identifier status }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Run($id: ID!) {\n    run(id: $id) {\n      id\n      status\n      statusReason\n      action\n      checkMode\n      exitCode\n      lastSeq\n      log\n      queuePosition\n      counters { ok changed failed skipped rescued unreachable }\n      service {\n        id\n        status\n        statusReason\n        variables\n        outputs\n        inventoryItems { id kind identifier status }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunEventsPage($id: ID!, $first: Int, $after: String) {\n    run(id: $id) {\n      events(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { seq type task host section changed data }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunEventsPage($id: ID!, $first: Int, $after: String) {\n    run(id: $id) {\n      events(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { seq type task host section changed data }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type task section changed data }\n  }\n"): (typeof documents)["\n  subscription RunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type task section changed data }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PoolChanged($kind: InventoryKind) {\n    inventoryPoolChanged(kind: $kind) { kind available total }\n  }\n"): (typeof documents)["\n  subscription PoolChanged($kind: InventoryKind) {\n    inventoryPoolChanged(kind: $kind) { kind available total }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;