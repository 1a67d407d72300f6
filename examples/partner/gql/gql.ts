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
    "\n  query PartnerListProducts {\n    products(first: 50) {\n      nodes { slug name secretVariables inventoryRequirements { kind count } }\n    }\n  }\n": typeof types.PartnerListProductsDocument,
    "\n  mutation PartnerProvision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess { started { service { id customerRef } run { id status } } }\n      ... on Error { message }\n    }\n  }\n": typeof types.PartnerProvisionDocument,
    "\n  subscription PartnerFollowRun($runId: ID!) {\n    runEvents(runId: $runId) { seq type task changed }\n  }\n": typeof types.PartnerFollowRunDocument,
    "\n  query PartnerRunOutcome($id: ID!) {\n    run(id: $id) { status statusReason counters { ok changed failed } service { status outputs } }\n  }\n": typeof types.PartnerRunOutcomeDocument,
};
const documents: Documents = {
    "\n  query PartnerListProducts {\n    products(first: 50) {\n      nodes { slug name secretVariables inventoryRequirements { kind count } }\n    }\n  }\n": types.PartnerListProductsDocument,
    "\n  mutation PartnerProvision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess { started { service { id customerRef } run { id status } } }\n      ... on Error { message }\n    }\n  }\n": types.PartnerProvisionDocument,
    "\n  subscription PartnerFollowRun($runId: ID!) {\n    runEvents(runId: $runId) { seq type task changed }\n  }\n": types.PartnerFollowRunDocument,
    "\n  query PartnerRunOutcome($id: ID!) {\n    run(id: $id) { status statusReason counters { ok changed failed } service { status outputs } }\n  }\n": types.PartnerRunOutcomeDocument,
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
export function graphql(source: "\n  query PartnerListProducts {\n    products(first: 50) {\n      nodes { slug name secretVariables inventoryRequirements { kind count } }\n    }\n  }\n"): (typeof documents)["\n  query PartnerListProducts {\n    products(first: 50) {\n      nodes { slug name secretVariables inventoryRequirements { kind count } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PartnerProvision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess { started { service { id customerRef } run { id status } } }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation PartnerProvision($input: ProvisionServiceInput!) {\n    provisionService(input: $input) {\n      __typename\n      ... on ProvisionServiceSuccess { started { service { id customerRef } run { id status } } }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PartnerFollowRun($runId: ID!) {\n    runEvents(runId: $runId) { seq type task changed }\n  }\n"): (typeof documents)["\n  subscription PartnerFollowRun($runId: ID!) {\n    runEvents(runId: $runId) { seq type task changed }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PartnerRunOutcome($id: ID!) {\n    run(id: $id) { status statusReason counters { ok changed failed } service { status outputs } }\n  }\n"): (typeof documents)["\n  query PartnerRunOutcome($id: ID!) {\n    run(id: $id) { status statusReason counters { ok changed failed } service { status outputs } }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;