import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { CredentialKind, createCredential, deleteCredential, updateCredential } from '../domain/secrets/index.ts';
import { builder } from './builder.ts';
import { errorTypes, expectType } from './errors.ts';
import { ProductRef } from './products.ts';
import { staffOnlyNode } from './targets.ts';

const CredentialKindEnum = builder.enumType(CredentialKind, {
  name: 'CredentialKind',
  description:
    'SSH_KEY: the private key runs connect with (one per product; OpenSSH or PEM, with its passphrase if encrypted). USERNAME_PASSWORD and API_TOKEN: for playbooks calling element APIs. VAULT_PASSWORD: opens the playbooks\' Ansible Vault values.',
});

export const CredentialRef = builder.prismaNode('Credential', {
  id: { field: 'id' },
  findUnique: staffOnlyNode,
  nullable: true,
  description:
    'A secret that runs need to reach network elements. Write-only: its value is never returned, only sealed at rest and handed to the playbooks of the products it is granted to, as provisio_credentials.<name>. Staff only.',
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: CredentialKindEnum }),
    description: t.exposeString('description'),
    username: t.exposeString('username', { nullable: true }),
    fingerprint: t.exposeString('fingerprint', { nullable: true, description: 'SHA-256 fingerprint of an SSH key\'s public half, to tell keys apart.' }),
    hasPassphrase: t.boolean({ select: { secrets: true }, resolve: (credential) => 'passphrase' in (credential.secrets as Record<string, unknown>) }),
    version: t.exposeInt('version', { description: 'Changes with every update (a rotation too).' }),
    products: t.field({
      type: [ProductRef],
      select: { products: { select: { product: true } } },
      resolve: (credential) => credential.products.map((grant) => grant.product),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField('Product', 'credentials', (t) =>
  t.field({
    type: [CredentialRef],
    authScopes: { staff: true },
    description: 'Credentials its runs get. Staff only.',
    select: { credentials: { select: { credential: true }, orderBy: { credential: { name: 'asc' } } } },
    resolve: (product) => product.credentials.map((grant) => grant.credential),
  }),
);

builder.queryFields((t) => ({
  credentials: t.prismaConnection({
    type: 'Credential',
    cursor: 'id',
    authScopes: { staff: true },
    totalCount: (_parent, _args, ctx) => ctx.prisma.credential.count(),
    resolve: (query, _parent, _args, ctx) => ctx.prisma.credential.findMany({ ...query, orderBy: [{ name: 'asc' }] }),
  }),
}));

const CreateCredentialInput = builder.inputType('CreateCredentialInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Playbooks read it as provisio_credentials.<name>.' }),
    kind: t.field({ type: CredentialKindEnum, required: true }),
    description: t.string(),
    username: t.string(),
    secret: t.string({ required: true, description: 'The private key, password, token or vault password. Never returned.' }),
    passphrase: t.string({ description: 'An encrypted SSH key\'s passphrase. Never returned.' }),
  }),
});

const UpdateCredentialInput = builder.inputType('UpdateCredentialInput', {
  description: 'Fields left out keep their value. A new secret (rotation) takes its own passphrase, or none.',
  fields: (t) => ({ name: t.string(), description: t.string(), username: t.string(), secret: t.string(), passphrase: t.string() }),
});

builder.mutationFields((t) => ({
  createCredential: t.field({
    type: CredentialRef,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateCredentialInput, required: true }) },
    errors: { types: errorTypes(ValidationError, ConflictError), dataField: { name: 'credential' } },
    resolve: (_parent, { input }, ctx) => createCredential(ctx, input),
  }),
  updateCredential: t.field({
    type: CredentialRef,
    authScopes: { admin: true },
    args: { id: t.arg.globalID({ required: true }), input: t.arg({ type: UpdateCredentialInput, required: true }) },
    errors: { types: errorTypes(ValidationError, ConflictError, NotFoundError), dataField: { name: 'credential' } },
    resolve: (_parent, { id, input }, ctx) => updateCredential(ctx, expectType(id, 'Credential'), input),
  }),
  deleteCredential: t.field({
    type: CredentialRef,
    authScopes: { admin: true },
    description: 'Deletes a credential no product is granted.',
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: errorTypes(NotFoundError, ConflictError), dataField: { name: 'credential' } },
    resolve: (_parent, { id }, ctx) => deleteCredential(ctx, expectType(id, 'Credential')),
  }),
}));
