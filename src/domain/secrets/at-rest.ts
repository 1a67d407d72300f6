import type { Prisma, PrismaClient } from '#generated/prisma/client.ts';
import { mapProductSecrets, openProductSecrets, SecretKeyError, type SecretBox, type SecretMarkedSchema } from './box.ts';

/** The JSON columns that hold a map of secret name → sealed value. */
const SECRET_MAPS = [
  { table: 'InventoryItem', column: 'secretAttributes' },
  { table: 'Service', column: 'secretVariables' },
  { table: 'ProvisioningRun', column: 'previewSecretVariables' },
  { table: 'Credential', column: 'secrets' },
  { table: 'ProvisioningRun', column: 'actionSecretVariables' },
  { table: 'WebhookEndpoint', column: 'secrets' },
] as const;

type SecretMap = (typeof SECRET_MAPS)[number];

export interface ResealReport {
  /** Values found in clear (written before encryption) and sealed now. */
  sealed: number;
  /** Values moved under the current key. */
  rewrapped: number;
}

const BATCH = 500;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Seals every secret stored in clear (rows from before secrets were encrypted) and, with
 * `rewrap`, moves every secret under the box's current key (key rotation). Safe beside running
 * servers: each row is written only if it still holds what was read.
 */
export async function resealStoredSecrets(prisma: PrismaClient, box: SecretBox, options: { rewrap: boolean }): Promise<ResealReport> {
  const report: ResealReport = { sealed: 0, rewrapped: 0 };
  // Counts what one row needs; added to the report once the row is written.
  let pending: ResealReport = { sealed: 0, rewrapped: 0 };
  const reseal = (name: string, value: unknown): unknown => {
    const keyId = box.keyIdOf(value);
    if (keyId === undefined) {
      pending.sealed++;
      return box.seal(name, value);
    }
    if (options.rewrap && keyId !== box.currentKeyId) {
      pending.rewrapped++;
      return box.rewrap(value as string);
    }
    return value;
  };
  const written = (count: number) => {
    if (count === 1) {
      report.sealed += pending.sealed;
      report.rewrapped += pending.rewrapped;
    }
    pending = { sealed: 0, rewrapped: 0 };
  };
  // Rows whose values all start with this need nothing.
  const wanted = options.rewrap ? `${box.sealedPrefix}${box.currentKeyId}:` : box.sealedPrefix;
  for (const map of SECRET_MAPS) {
    for (let after = FIRST_ID; ; ) {
      const rows = await prisma.$queryRawUnsafe<Array<{ id: string; secrets: unknown }>>(
        `SELECT id, "${map.column}" AS secrets FROM "${map.table}"
          WHERE id > $1::uuid AND ${hasValueNotStartingWith(map, '$2')}
          ORDER BY id LIMIT ${BATCH}`,
        after,
        wanted,
      );
      for (const row of rows) {
        const stored = jsonObject(row.secrets);
        const resealed = Object.fromEntries(Object.entries(stored).map(([name, value]) => [name, reseal(name, value)]));
        // A row changed since it was read was written by a server that sealed it itself.
        written(await prisma.$executeRawUnsafe(
          `UPDATE "${map.table}" SET "${map.column}" = $1::jsonb WHERE id = $2::uuid AND "${map.column}" = $3::jsonb`,
          JSON.stringify(resealed),
          row.id,
          JSON.stringify(stored),
        ));
      }
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1]!.id;
    }
  }
  const rows: Array<{ secrets: ReturnType<typeof productSecrets>; write: (data: ProductSecretColumns) => Promise<{ count: number }> }> = [
    ...(await prisma.product.findMany({ select: { id: true, version: true, ...PRODUCT_SECRETS } })).map((product) => ({
      secrets: productSecrets(product),
      // Not a new version: the product means the same; a concurrent update wrote sealed values itself.
      write: (data: ProductSecretColumns) => prisma.product.updateMany({ where: { id: product.id, version: product.version }, data }),
    })),
    ...(await prisma.productRevision.findMany({ select: { productId: true, revision: true, ...PRODUCT_SECRETS } })).map((revision) => ({
      secrets: productSecrets(revision),
      // A revision never changes otherwise: a concurrent reseal writes values that open as well.
      write: (data: ProductSecretColumns) => prisma.productRevision.updateMany({ where: { productId: revision.productId, revision: revision.revision }, data }),
    })),
  ];
  for (const row of rows) {
    const resealed = mapProductSecrets(row.secrets, reseal);
    if (pending.sealed + pending.rewrapped === 0) continue;
    written((await row.write({ variableSchema: resealed.variableSchema as unknown as Prisma.InputJsonObject, defaultVariables: resealed.defaultVariables as Prisma.InputJsonObject })).count);
  }
  return report;
}

/**
 * Rewrites the tables that held secrets in clear, so no old row version keeps a copy (the
 * write-ahead log's segments are recycled later). Locks the tables: for the embedded profile,
 * whose operator has no SQL console; on PostgreSQL the operator runs VACUUM FULL when it suits.
 */
export async function compactSecretTables(prisma: PrismaClient): Promise<void> {
  const tables = [...new Set([...SECRET_MAPS.map((map) => map.table), ...PRODUCT_TABLES])].map((table) => `"${table}"`);
  await prisma.$executeRawUnsafe(`VACUUM FULL ${tables.join(', ')}`);
}

/**
 * Opens one stored secret of each kind: a missing or wrong key fails at start, with the key
 * source named, instead of failing every run later.
 */
export async function verifySecretKey(prisma: PrismaClient, box: SecretBox, keySource: string): Promise<void> {
  try {
    for (const map of SECRET_MAPS) {
      const [row] = await prisma.$queryRawUnsafe<Array<{ secrets: unknown }>>(
        `SELECT "${map.column}" AS secrets FROM "${map.table}" WHERE ${hasValueStartingWith(map, '$1')} LIMIT 1`,
        box.sealedPrefix,
      );
      if (row) openSealed(box, jsonObject(row.secrets));
    }
    for (const product of await productSecretRows(prisma)) openProductSecrets(box, productSecrets(product));
  } catch (error) {
    if (!(error instanceof SecretKeyError)) throw error;
    throw new SecretKeyError(`stored secrets do not open with the keys from ${keySource}: ${error.message}. Start with the key they were sealed with.`);
  }
}

/** Whether any secret is stored sealed: a database in this state must never get a new key. */
export async function holdsSealedSecrets(prisma: PrismaClient, sealedPrefix: string): Promise<boolean> {
  for (const map of SECRET_MAPS) {
    const [row] = await prisma.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM "${map.table}" WHERE ${hasValueStartingWith(map, '$1')} LIMIT 1`, sealedPrefix);
    if (row) return true;
  }
  for (const table of PRODUCT_TABLES) {
    const [row] = await prisma.$queryRawUnsafe<unknown[]>(
      `SELECT 1 FROM "${table}" WHERE strpos("defaultVariables"::text, $1) > 0 OR strpos("variableSchema"::text, $1) > 0 LIMIT 1`,
      `"${sealedPrefix}`,
    );
    if (row) return true;
  }
  return false;
}

/** How many stored secrets each key seals ("clear" for those not sealed): which old keys are still needed. */
export async function secretKeyUsage(prisma: PrismaClient, box: SecretBox): Promise<Record<string, number>> {
  const usage: Record<string, number> = {};
  const count = (_name: string, value: unknown) => {
    const key = box.keyIdOf(value) ?? 'clear';
    usage[key] = (usage[key] ?? 0) + 1;
    return value;
  };
  for (const map of SECRET_MAPS) {
    const rows = await prisma.$queryRawUnsafe<Array<{ key: string; total: number | bigint }>>(
      `SELECT CASE WHEN jsonb_typeof(e.value) = 'string' AND left(e.value #>> '{}', ${box.sealedPrefix.length}) = $1
                   THEN split_part(e.value #>> '{}', ':', 2) ELSE 'clear' END AS key, count(*) AS total
         FROM "${map.table}", jsonb_each("${map.column}") AS e GROUP BY 1`,
      box.sealedPrefix,
    );
    for (const row of rows) usage[row.key] = (usage[row.key] ?? 0) + Number(row.total);
  }
  for (const product of await productSecretRows(prisma)) mapProductSecrets(productSecrets(product), count);
  return usage;
}

const PRODUCT_SECRETS = { variableSchema: true, defaultVariables: true } as const;

type ProductSecretColumns = { variableSchema: Prisma.InputJsonObject; defaultVariables: Prisma.InputJsonObject };

/** A product keeps its secret defaults in its own row and in each of its revisions. */
const PRODUCT_TABLES = ['Product', 'ProductRevision'] as const;

async function productSecretRows(prisma: PrismaClient) {
  return [...(await prisma.product.findMany({ select: PRODUCT_SECRETS })), ...(await prisma.productRevision.findMany({ select: PRODUCT_SECRETS }))];
}

function productSecrets(product: { variableSchema: Prisma.JsonValue; defaultVariables: Prisma.JsonValue }) {
  return { variableSchema: product.variableSchema as unknown as SecretMarkedSchema, defaultVariables: product.defaultVariables as Record<string, unknown> };
}

function openSealed(box: SecretBox, values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) if (box.keyIdOf(value) !== undefined) box.open(name, value as string);
}

function hasValueNotStartingWith(map: SecretMap, prefixParameter: string): string {
  return `"${map.column}" IS NOT NULL AND EXISTS (SELECT 1 FROM jsonb_each("${map.column}") AS e
    WHERE jsonb_typeof(e.value) <> 'string' OR left(e.value #>> '{}', length(${prefixParameter})) <> ${prefixParameter})`;
}

function hasValueStartingWith(map: SecretMap, prefixParameter: string): string {
  return `"${map.column}" IS NOT NULL AND EXISTS (SELECT 1 FROM jsonb_each("${map.column}") AS e
    WHERE jsonb_typeof(e.value) = 'string' AND left(e.value #>> '{}', length(${prefixParameter})) = ${prefixParameter})`;
}

function jsonObject(value: unknown): Record<string, unknown> {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}
