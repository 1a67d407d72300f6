import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { PrismaClient } from '#generated/prisma/client.ts';
import { NotFoundError, ValidationError, type FieldIssue } from '../errors.ts';

/**
 * Partners run only documents an admin registered for them: the manifest their GraphQL Code
 * Generator client preset writes (`persistedDocuments: true`), a JSON object of
 * `"sha256:<hex>": "<document>"`.
 */

const MAX_MANIFEST_DOCUMENTS = 1_000;
const MAX_DOCUMENT_BYTES = 100 * 1024;
const HASH = /^(?:sha256:)?([0-9a-f]{64})$/;

/** What the schema layer says about a document: why it cannot run, or the operation it names. */
export type DocumentCheck = { error: string } | { operationName: string | null };

/** "sha256:<hex>" for the ids clients send (GraphQL over HTTP `documentId`, or an APQ sha256Hash); null if it is none. */
export function normaliseDocumentId(id: unknown): string | null {
  if (typeof id !== 'string') return null;
  const match = HASH.exec(id.trim().toLowerCase());
  return match ? `sha256:${match[1]}` : null;
}

export async function registerTrustedDocuments(
  prisma: PrismaClient,
  partnerId: string,
  manifest: Record<string, unknown>,
  check: (document: string) => DocumentCheck,
): Promise<number> {
  const entries = Object.entries(manifest);
  const issues: FieldIssue[] = [];
  if (entries.length === 0) issues.push({ path: 'manifest', message: 'the manifest lists no documents' });
  if (entries.length > MAX_MANIFEST_DOCUMENTS) issues.push({ path: 'manifest', message: `at most ${MAX_MANIFEST_DOCUMENTS} documents per call` });
  if (issues.length) throw new ValidationError(issues);
  const rows: Array<{ partnerId: string; hash: string; document: string; operationName: string | null }> = [];
  for (const [key, document] of entries) {
    const path = `manifest.${key}`;
    const hash = normaliseDocumentId(key);
    if (!hash) {
      issues.push({ path, message: 'keys are "sha256:" and 64 hexadecimal digits' });
      continue;
    }
    if (typeof document !== 'string' || !document.trim()) {
      issues.push({ path, message: 'the value must be the document text' });
      continue;
    }
    if (Buffer.byteLength(document) > MAX_DOCUMENT_BYTES) {
      issues.push({ path, message: `documents are at most ${MAX_DOCUMENT_BYTES} bytes` });
      continue;
    }
    if (`sha256:${createHash('sha256').update(document).digest('hex')}` !== hash) {
      issues.push({ path, message: 'the hash is not the SHA-256 of the document' });
      continue;
    }
    const checked = check(document);
    if ('error' in checked) issues.push({ path, message: checked.error });
    else rows.push({ partnerId, hash, document, operationName: checked.operationName });
  }
  if (issues.length) throw new ValidationError(issues, `${issues.length} document(s) rejected; nothing was registered`);
  if (!(await prisma.partner.findUnique({ where: { id: partnerId }, select: { id: true } }))) throw new NotFoundError('Partner', partnerId);
  const { count } = await prisma.trustedDocument.createMany({ data: rows, skipDuplicates: true });
  return count;
}

/** What the request seam needs: a partner's document by its id. */
export interface TrustedDocumentLookup {
  find(partnerId: string, documentId: string): Promise<string | null>;
}

/**
 * Looks documents up for requests. A document never changes under its hash, so found ones are
 * cached (a removal reaches other instances within the TTL); misses are not, so a document works
 * as soon as it is registered.
 */
export class TrustedDocumentStore implements TrustedDocumentLookup {
  readonly #prisma: PrismaClient;
  readonly #cache = new LRUCache<string, string>({ max: 5_000, ttl: 60_000 });

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  async find(partnerId: string, documentId: string): Promise<string | null> {
    const cacheKey = `${partnerId} ${documentId}`;
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const row = await this.#prisma.trustedDocument.findUnique({ where: { partnerId_hash: { partnerId, hash: documentId } }, select: { document: true } });
    if (row) this.#cache.set(cacheKey, row.document);
    return row?.document ?? null;
  }

  /** Removes a partner's documents (all, or those listed); returns how many were removed. */
  async remove(partnerId: string, hashes: string[] | null): Promise<number> {
    const normalised = hashes?.map((hash) => normaliseDocumentId(hash) ?? hash);
    const { count } = await this.#prisma.trustedDocument.deleteMany({ where: { partnerId, ...(normalised ? { hash: { in: normalised } } : {}) } });
    this.#cache.clear();
    return count;
  }
}
