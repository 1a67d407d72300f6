import { graphql } from '../gql/gql.ts';

// Documents shared by several test files; codegen types them from schema.graphql.

export const ProductsQuery = graphql(`
  query Products($includeArchived: Boolean) {
    products(includeArchived: $includeArchived) {
      totalCount
      nodes {
        id
        slug
        name
        provisionPlaybook
        deprovisionPlaybook
        defaultVariables
        secretVariables
        archived
        inventoryRequirements { kind count match }
      }
    }
  }
`);

export const CreateProductMutation = graphql(`
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      __typename
      ... on CreateProductSuccess { product { id slug name provisionPlaybook runTimeoutSeconds defaultVariables variableSchema secretVariables } }
      ... on ValidationError { message issues { path message } }
      ... on ConflictError { message }
    }
  }
`);

export const AddInventoryMutation = graphql(`
  mutation AddInventory($items: [NewInventoryItemInput!]!) {
    addInventoryItems(items: $items) {
      __typename
      ... on AddInventoryItemsSuccess { added }
      ... on InventoryImportError { message rows { index identifier message } }
      ... on ValidationError { message issues { path message } }
    }
  }
`);

export const InventoryQuery = graphql(`
  query Inventory($filter: InventoryFilter, $first: Int) {
    inventoryItems(filter: $filter, first: $first) {
      totalCount
      nodes { id kind identifier attributes secretAttributesSet status statusReason }
    }
  }
`);

export const PoolsQuery = graphql(`
  query Pools {
    inventoryPools { kind available reserved inUse quarantined retired total }
  }
`);
