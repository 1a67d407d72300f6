import type { Prisma, PrismaClient } from '#generated/prisma/client.ts';
import { inventoryKinds } from '../inventory/index.ts';
import { SECRET_MASK } from '../catalog/index.ts';
import type { Viewer } from './viewer.ts';

/** One mutation as the audit log keeps it. */
export interface AuditRecord {
  viewer: Viewer;
  operation: string;
  operationName: string | null;
  arguments: Record<string, unknown>;
  resultType: string;
  resultId: string | null;
}

/** Names that hold secrets whatever the operation: a safety net for inputs no rule below knows. */
const SECRET_NAME = /secret|passw|passphrase|token|private.?key|^ki$|^opc$/i;
const SECRET_ATTRIBUTES = new Set(Object.values(inventoryKinds).flatMap((kind) => kind.secretAttributeNames));

export async function recordAudit(prisma: PrismaClient, record: AuditRecord): Promise<void> {
  await prisma.auditEntry.create({
    data: {
      keyId: record.viewer.keyId,
      keyName: record.viewer.keyName,
      role: record.viewer.role,
      partnerId: record.viewer.partnerId,
      operation: record.operation,
      operationName: record.operationName,
      arguments: (await maskAuditArguments(prisma, record.operation, record.arguments)) as Prisma.InputJsonObject,
      resultType: record.resultType,
      resultId: record.resultId,
    },
  });
}

/**
 * The arguments with every secret value replaced by a mask: secret product variables (by the
 * product's schema, or the schema in the same input), secret inventory attributes, secret schema
 * defaults, and anything whose name says it is a secret.
 */
export async function maskAuditArguments(prisma: PrismaClient, operation: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const input = asObject(args['input']);
  const secretVariables = new Set<string>([
    ...secretNames(input?.['variableSchema']),
    ...(await storedSecretNames(prisma, operation, args, input)),
  ]);
  return maskDeep(args, (name, parentName) => {
    if (SECRET_NAME.test(name)) return true;
    if (parentName === 'attributes' && SECRET_ATTRIBUTES.has(name)) return true;
    if ((parentName === 'variables' || parentName === 'defaultVariables') && secretVariables.has(name)) return true;
    return false;
  }, secretVariables);
}

async function storedSecretNames(prisma: PrismaClient, operation: string, args: Record<string, unknown>, input: Record<string, unknown> | undefined): Promise<string[]> {
  const where =
    operation === 'provisionService' && typeof input?.['productSlug'] === 'string'
      ? { slug: input['productSlug'] }
      : operation === 'updateProduct' && typeof args['id'] === 'string'
        ? { id: decodeProductId(args['id']) ?? '' }
        : undefined;
  if (!where || ('id' in where && !where.id)) return [];
  const product = await prisma.product.findFirst({ where, select: { variableSchema: true } });
  return product ? [...secretNames(product.variableSchema)] : [];
}

/** The audit trail records ids decoded, as "Product:<uuid>" (or ":<uuid>" when given raw). */
function decodeProductId(globalId: string): string | undefined {
  const [typename, id] = globalId.split(':');
  return (typename === 'Product' || typename === '') && id && /^[0-9a-f-]{36}$/i.test(id) ? id : undefined;
}

function secretNames(schema: unknown): Set<string> {
  const properties = asObject(asObject(schema)?.['properties']);
  return new Set(Object.entries(properties ?? {}).filter(([, property]) => asObject(property)?.['secret'] === true).map(([name]) => name));
}

function maskDeep(value: Record<string, unknown>, isSecret: (name: string, parentName: string | undefined) => boolean, secretVariables: Set<string>): Record<string, unknown> {
  const walk = (node: unknown, parent: string | undefined, grandparent: string | undefined): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, parent, grandparent));
    const object = asObject(node);
    if (!object) return node;
    return Object.fromEntries(
      Object.entries(object).map(([name, child]) => {
        // A secret variable's default inside a variable schema: properties.<name>.default.
        const secretDefault = name === 'default' && grandparent === 'properties' && parent !== undefined && (secretVariables.has(parent) || object['secret'] === true);
        if (secretDefault || isSecret(name, parent)) return [name, SECRET_MASK];
        return [name, walk(child, name, parent)];
      }),
    );
  };
  return walk(value, undefined, undefined) as Record<string, unknown>;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
