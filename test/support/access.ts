import { graphql } from '../gql/gql.ts';
import type { Role } from '../gql/graphql.ts';
import { query, type Endpoint } from './client.ts';
import { ProductsQuery } from './documents.ts';

export const CreateKeyMutation = graphql(`
  mutation CreateKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      __typename
      ... on CreateApiKeySuccess { issued { key apiKey { id name role prefix status partner { slug } } } }
      ... on Error { message }
    }
  }
`);

export const CreatePartnerMutation = graphql(`
  mutation CreatePartner($input: CreatePartnerInput!) {
    createPartner(input: $input) {
      __typename
      ... on CreatePartnerSuccess { partner { id slug } }
      ... on Error { message }
    }
  }
`);

export const GrantProductsMutation = graphql(`
  mutation GrantProducts($partnerId: ID!, $productIds: [ID!]!) {
    grantProducts(partnerId: $partnerId, productIds: $productIds) {
      __typename
      ... on GrantProductsSuccess { partner { products { slug } } }
      ... on Error { message }
    }
  }
`);

/** A new key of a role, made by the admin endpoint; returns an endpoint that uses it. */
export async function createKey(admin: Endpoint, role: Role, options: { partnerId?: string; name?: string; expiresAt?: string } = {}): Promise<Endpoint & { keyId: string }> {
  const result = await query(admin, CreateKeyMutation, {
    input: { name: options.name ?? `${role.toLowerCase()} test key`, role, partnerId: options.partnerId ?? null, expiresAt: options.expiresAt ?? null },
  });
  if (result.createApiKey.__typename !== 'CreateApiKeySuccess') throw new Error(`createApiKey failed: ${JSON.stringify(result.createApiKey)}`);
  return { url: admin.url, key: result.createApiKey.issued.key, keyId: result.createApiKey.issued.apiKey.id };
}

/** A partner granted these products, and a key of its own. */
export async function setUpPartner(admin: Endpoint, slug: string, productSlugs: string[]): Promise<Endpoint & { partnerId: string; keyId: string }> {
  const created = await query(admin, CreatePartnerMutation, { input: { slug, name: `Partner ${slug}` } });
  if (created.createPartner.__typename !== 'CreatePartnerSuccess') throw new Error(`createPartner failed: ${JSON.stringify(created.createPartner)}`);
  const partnerId = created.createPartner.partner.id;
  const products = (await query(admin, ProductsQuery, {})).products.nodes.filter((product) => productSlugs.includes(product.slug));
  const granted = await query(admin, GrantProductsMutation, { partnerId, productIds: products.map((product) => product.id) });
  if (granted.grantProducts.__typename !== 'GrantProductsSuccess') throw new Error(`grantProducts failed: ${JSON.stringify(granted.grantProducts)}`);
  const key = await createKey(admin, 'PARTNER', { partnerId, name: `${slug} key` });
  return { ...key, partnerId };
}
