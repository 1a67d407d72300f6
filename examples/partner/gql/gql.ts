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
    "\n  query PartnerListProducts {\n    products(first: 50) {\n      nodes { slug name inventoryRequirements { kind count } }\n    }\n  }\n": typeof types.PartnerListProductsDocument,
    "\n  mutation PartnerAddNumbers($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { rows { index identifier message } }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": typeof types.PartnerAddNumbersDocument,
    "\n  subscription PartnerWatchPool($kind: InventoryKind!) {\n    inventoryPoolChanged(kind: $kind) { kind available total }\n  }\n": typeof types.PartnerWatchPoolDocument,
};
const documents: Documents = {
    "\n  query PartnerListProducts {\n    products(first: 50) {\n      nodes { slug name inventoryRequirements { kind count } }\n    }\n  }\n": types.PartnerListProductsDocument,
    "\n  mutation PartnerAddNumbers($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { rows { index identifier message } }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": types.PartnerAddNumbersDocument,
    "\n  subscription PartnerWatchPool($kind: InventoryKind!) {\n    inventoryPoolChanged(kind: $kind) { kind available total }\n  }\n": types.PartnerWatchPoolDocument,
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
export function graphql(source: "\n  query PartnerListProducts {\n    products(first: 50) {\n      nodes { slug name inventoryRequirements { kind count } }\n    }\n  }\n"): (typeof documents)["\n  query PartnerListProducts {\n    products(first: 50) {\n      nodes { slug name inventoryRequirements { kind count } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PartnerAddNumbers($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { rows { index identifier message } }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"): (typeof documents)["\n  mutation PartnerAddNumbers($items: [NewInventoryItemInput!]!) {\n    addInventoryItems(items: $items) {\n      __typename\n      ... on AddInventoryItemsSuccess { added }\n      ... on InventoryImportError { rows { index identifier message } }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PartnerWatchPool($kind: InventoryKind!) {\n    inventoryPoolChanged(kind: $kind) { kind available total }\n  }\n"): (typeof documents)["\n  subscription PartnerWatchPool($kind: InventoryKind!) {\n    inventoryPoolChanged(kind: $kind) { kind available total }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;