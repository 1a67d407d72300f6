import { z } from 'zod';
import type { Credential, Prisma, PrismaClient } from '#generated/prisma/client.ts';
import { CredentialKind } from '#generated/prisma/enums.ts';
import { CredentialError, openSshKey, type RunCredential } from '../../runner/index.ts';
import { ConflictError, NotFoundError, ValidationError, issuesFromZod, type FieldIssue } from '../errors.ts';
import { openValues, sealValues, type SecretBox } from './box.ts';

export interface CredentialInput {
  name: string;
  kind: CredentialKind;
  description?: string | null | undefined;
  username?: string | null | undefined;
  /** The SSH private key, password, token or vault password. Never read back. */
  secret: string;
  /** An encrypted SSH key's passphrase. */
  passphrase?: string | null | undefined;
}

export type CredentialPatch = { [K in Exclude<keyof CredentialInput, 'kind'>]?: CredentialInput[K] | null };

export interface CredentialDeps {
  prisma: PrismaClient;
  secrets: SecretBox;
}

/** Also the credential's key under `provisio_credentials` in a playbook, hence an identifier. */
const name = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'name must be a lowercase letter, then lowercase letters, digits and "_" (up to 64): playbooks read it as provisio_credentials.<name>');

interface StoredSecrets {
  secret: string;
  passphrase?: string;
}

function validate(input: CredentialInput): { row: Omit<Credential, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'secrets'>; secrets: StoredSecrets } {
  const issues: FieldIssue[] = issuesFromZod(name.safeParse(input.name).error?.issues ?? [], 'name');
  if (input.secret.length === 0 || input.secret.length > 64 * 1024) issues.push({ path: 'secret', message: 'the secret is 1 byte to 64 KiB' });
  if ((input.username ?? '').length > 256) issues.push({ path: 'username', message: 'at most 256 characters' });
  if ((input.description ?? '').length > 10_000) issues.push({ path: 'description', message: 'at most 10,000 characters' });
  if (input.passphrase && input.kind !== 'SSH_KEY') issues.push({ path: 'passphrase', message: 'only an SSH key has a passphrase' });
  if (input.username && input.kind === 'VAULT_PASSWORD') issues.push({ path: 'username', message: 'a vault password has no user name' });
  let fingerprint: string | null = null;
  if (input.kind === 'SSH_KEY' && issues.length === 0) {
    try {
      fingerprint = openSshKey(input.secret, input.passphrase ?? null).fingerprint;
    } catch (error) {
      if (!(error instanceof CredentialError)) throw error;
      issues.push({ path: error.message.includes('passphrase') ? 'passphrase' : 'secret', message: error.message });
    }
  }
  if (issues.length) throw new ValidationError(issues);
  return {
    row: { name: input.name, kind: input.kind, description: input.description ?? '', username: input.username || null, fingerprint },
    secrets: { secret: input.secret, ...(input.passphrase ? { passphrase: input.passphrase } : {}) },
  };
}

export async function createCredential(deps: CredentialDeps, input: CredentialInput): Promise<Credential> {
  const { row, secrets } = validate(input);
  try {
    return await deps.prisma.credential.create({ data: { ...row, secrets: sealValues(deps.secrets, { ...secrets }) } });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw new ConflictError(`a credential named "${row.name}" already exists`);
    throw error;
  }
}

/**
 * Changes a credential (rotation: a new key or password). Its secret is replaced only when a new
 * one is given; runs already started keep the one they got.
 */
export async function updateCredential(deps: CredentialDeps, id: string, patch: CredentialPatch): Promise<Credential> {
  const current = await deps.prisma.credential.findUnique({ where: { id } });
  if (!current) throw new NotFoundError('Credential', id);
  const stored = openValues(deps.secrets, current.secrets as Record<string, unknown>) as unknown as StoredSecrets;
  const newSecret = patch.secret !== undefined && patch.secret !== null;
  const { row, secrets } = validate({
    name: patch.name ?? current.name,
    kind: current.kind,
    description: patch.description ?? current.description,
    username: patch.username === undefined ? current.username : patch.username,
    secret: newSecret ? patch.secret! : stored.secret,
    // A new key comes with its own passphrase (or none); otherwise the stored one stays unless given.
    passphrase: patch.passphrase !== undefined ? patch.passphrase : newSecret ? null : (stored.passphrase ?? null),
  });
  try {
    return await deps.prisma.credential.update({ where: { id }, data: { ...row, secrets: sealValues(deps.secrets, { ...secrets }), version: { increment: 1 } } });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw new ConflictError(`a credential named "${row.name}" already exists`);
    throw error;
  }
}

export async function deleteCredential(deps: CredentialDeps, id: string): Promise<Credential> {
  const current = await deps.prisma.credential.findUnique({ where: { id }, include: { products: { include: { product: { select: { slug: true } } } } } });
  if (!current) throw new NotFoundError('Credential', id);
  if (current.products.length) throw new ConflictError(`the credential is granted to ${current.products.map((p) => p.product.slug).join(', ')}: take it from those products first`);
  const { products: _products, ...credential } = current;
  try {
    await deps.prisma.credential.delete({ where: { id } });
  } catch (error) {
    // A product update granted it in the meantime.
    if ((error as { code?: string }).code === 'P2003') throw new ConflictError('the credential was just granted to a product: take it from that product first');
    throw error;
  }
  return credential;
}

/** A product's credentials, opened for one run of its playbook. */
export async function runCredentials(prisma: PrismaClient | Prisma.TransactionClient, box: SecretBox, productId: string): Promise<RunCredential[]> {
  const grants = await prisma.productCredential.findMany({ where: { productId }, include: { credential: true }, orderBy: { credential: { name: 'asc' } } });
  return grants.map(({ credential }) => {
    const { secret, passphrase } = openValues(box, credential.secrets as Record<string, unknown>) as unknown as StoredSecrets;
    switch (credential.kind) {
      case 'SSH_KEY':
        return { kind: 'SSH_KEY', name: credential.name, username: credential.username, privateKey: secret, passphrase: passphrase ?? null };
      case 'USERNAME_PASSWORD':
        return { kind: 'USERNAME_PASSWORD', name: credential.name, username: credential.username, password: secret };
      case 'API_TOKEN':
        return { kind: 'API_TOKEN', name: credential.name, username: credential.username, token: secret };
      case 'VAULT_PASSWORD':
        return { kind: 'VAULT_PASSWORD', name: credential.name, password: secret };
    }
  });
}

export { CredentialKind };
