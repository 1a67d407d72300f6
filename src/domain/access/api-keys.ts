import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ApiKey, PrismaClient } from '#generated/prisma/client.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Logger } from '../../logger.ts';
import { NotFoundError, ValidationError, type FieldIssue } from '../errors.ts';
import type { Role, Viewer } from './viewer.ts';

export interface ApiKeyDeps {
  prisma: PrismaClient;
  events: EventBus;
}

/** Keys look like `pvo_` + 43 base64url characters (256 random bits). */
const KEY_PREFIX = 'pvo_';
/** Generated keys have 47 characters; one given by PROVISIO_ADMIN_KEY has at least this many. */
export const MIN_KEY_LENGTH = 32;
const MAX_KEY_LENGTH = 512;
/** Shown in lists and logs so a key can be recognised without revealing it. */
const DISPLAY_CHARS = 12;
/** The longest a rotated-out key may keep working beside its successor. */
export const MAX_ROTATION_OVERLAP_SECONDS = 30 * 24 * 3600;

/** The key is random and long, so a fast hash is enough (no password stretching is needed). */
export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function generateKey(): { key: string; secretHash: string; prefix: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, secretHash: hashKey(key), prefix: key.slice(0, DISPLAY_CHARS) };
}

export interface NewApiKey {
  name: string;
  role: Role;
  partnerId?: string | null | undefined;
  expiresAt?: Date | null | undefined;
}

export interface IssuedKey {
  apiKey: ApiKey;
  /** The key itself: returned once, never stored. */
  key: string;
}

export async function createApiKey(deps: ApiKeyDeps, createdBy: string, input: NewApiKey): Promise<IssuedKey> {
  const name = input.name.trim();
  const issues: FieldIssue[] = [];
  if (!name || name.length > 100) issues.push({ path: 'input.name', message: 'name must be 1 to 100 characters' });
  if (input.role === 'PARTNER' && !input.partnerId) issues.push({ path: 'input.partnerId', message: 'a PARTNER key needs a partner' });
  if (input.role !== 'PARTNER' && input.partnerId) issues.push({ path: 'input.partnerId', message: `a ${input.role} key belongs to no partner` });
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) issues.push({ path: 'input.expiresAt', message: 'expiresAt must be in the future' });
  if (issues.length) throw new ValidationError(issues);
  if (input.partnerId && !(await deps.prisma.partner.findUnique({ where: { id: input.partnerId }, select: { id: true } }))) {
    throw new NotFoundError('Partner', input.partnerId);
  }
  const { key, secretHash, prefix } = generateKey();
  const apiKey = await deps.prisma.apiKey.create({
    data: { name, role: input.role, partnerId: input.partnerId ?? null, expiresAt: input.expiresAt ?? null, secretHash, prefix, createdBy },
  });
  return { apiKey, key };
}

/**
 * Issues a successor with the same name, role, partner and expiry. The old key keeps working for
 * `overlapSeconds` (0: it stops at once) so clients can switch without an outage.
 */
export async function rotateApiKey(deps: ApiKeyDeps, createdBy: string, id: string, overlapSeconds: number): Promise<IssuedKey> {
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_ROTATION_OVERLAP_SECONDS) {
    throw new ValidationError([{ path: 'overlapSeconds', message: `overlapSeconds must be a whole number from 0 to ${MAX_ROTATION_OVERLAP_SECONDS}` }]);
  }
  const old = await usableKey(deps.prisma, id);
  const { key, secretHash, prefix } = generateKey();
  const now = Date.now();
  const apiKey = await deps.prisma.$transaction(async (tx) => {
    const successor = await tx.apiKey.create({
      data: { name: old.name, role: old.role, partnerId: old.partnerId, expiresAt: old.expiresAt, secretHash, prefix, createdBy, rotatedFromId: old.id },
    });
    const until = new Date(now + overlapSeconds * 1000);
    await tx.apiKey.update({
      where: { id: old.id },
      data: overlapSeconds === 0 ? { revokedAt: new Date(now) } : { expiresAt: old.expiresAt && old.expiresAt < until ? old.expiresAt : until },
    });
    return successor;
  });
  if (overlapSeconds === 0) deps.events.publish('access:key-revoked', { keyId: old.id });
  return { apiKey, key };
}

export async function revokeApiKey(deps: ApiKeyDeps, id: string): Promise<ApiKey> {
  const key = await deps.prisma.apiKey.findUnique({ where: { id } });
  if (!key) throw new NotFoundError('ApiKey', id);
  if (key.revokedAt) return key;
  const revoked = await deps.prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  deps.events.publish('access:key-revoked', { keyId: id });
  return revoked;
}

async function usableKey(prisma: PrismaClient, id: string): Promise<ApiKey> {
  const key = await prisma.apiKey.findUnique({ where: { id } });
  if (!key) throw new NotFoundError('ApiKey', id);
  if (!isUsable(key)) throw new ValidationError([{ path: 'id', message: 'the key is revoked or expired; create a new one instead' }]);
  return key;
}

export const isUsable = (key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now = Date.now()) =>
  !key.revokedAt && (!key.expiresAt || key.expiresAt.getTime() > now);

export type Authentication = { ok: true; viewer: Viewer } | { ok: false; reason: string };

export interface AuthenticatorOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** Requests per minute for partner keys whose partner sets no limit of its own. */
  partnerRateLimitPerMinute: number;
}

/** How long a key lookup is reused; revocations clear the cache at once on every instance. */
const CACHE_TTL_MS = 5_000;
/** lastUsedAt is a hint for operators, not an access log: write it at most this often per key. */
const LAST_USED_EVERY_MS = 60_000;

/** Turns a presented key into a Viewer, or a reason it is refused. */
export class Authenticator {
  readonly #options: AuthenticatorOptions;
  readonly #cache = new LRUCache<string, Authentication>({ max: 10_000, ttl: CACHE_TTL_MS });
  readonly #lastUsedWrites = new LRUCache<string, number>({ max: 10_000 });

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
  }

  /** Accepts the value of an Authorization header (or graphql-ws connectionParams.authorization). */
  async authenticate(authorization: unknown): Promise<Authentication> {
    if (authorization === undefined || authorization === null || authorization === '') {
      return { ok: false, reason: 'an API key is required: send "Authorization: Bearer <key>"' };
    }
    const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!match) return { ok: false, reason: 'malformed Authorization: expected "Bearer <key>"' };
    const key = match[1]!;
    const secretHash = hashKey(key);
    const cached = this.#cache.get(secretHash);
    const result = cached ?? (await this.#lookup(key, secretHash));
    if (!cached) this.#cache.set(secretHash, result);
    if (result.ok && result.viewer.expiresAt && result.viewer.expiresAt.getTime() <= Date.now()) {
      return { ok: false, reason: 'this API key has expired' };
    }
    if (result.ok) this.#touch(result.viewer.keyId);
    return result;
  }

  /** Forgets cached lookups, so a revocation takes effect on the next request. */
  forget(): void {
    this.#cache.clear();
  }

  /** Whether the key behind a long-lived session may still be used (revoked and expired keys may not). */
  async stillValid(keyIds: string[]): Promise<Set<string>> {
    if (keyIds.length === 0) return new Set();
    const rows = await this.#options.prisma.apiKey.findMany({ where: { id: { in: keyIds } }, select: { id: true, revokedAt: true, expiresAt: true } });
    const now = Date.now();
    return new Set(rows.filter((row) => isUsable(row, now)).map((row) => row.id));
  }

  async #lookup(key: string, secretHash: string): Promise<Authentication> {
    const invalid: Authentication = { ok: false, reason: 'unknown API key' };
    if (key.length < MIN_KEY_LENGTH || key.length > MAX_KEY_LENGTH) return invalid;
    const row = await this.#options.prisma.apiKey.findUnique({ where: { secretHash }, include: { partner: true } });
    // The lookup was by hash; compare again in constant time so timing tells nothing either way.
    if (!row || !timingSafeEqual(Buffer.from(row.secretHash), Buffer.from(secretHash))) return invalid;
    if (row.revokedAt) return { ok: false, reason: 'this API key has been revoked' };
    if (row.role === 'PARTNER' && !row.partner) return invalid;
    return {
      ok: true,
      viewer: {
        keyId: row.id,
        keyName: row.name,
        role: row.role,
        partnerId: row.partnerId,
        rateLimitPerMinute: row.role === 'PARTNER' ? (row.partner?.rateLimitPerMinute ?? this.#options.partnerRateLimitPerMinute) : null,
        expiresAt: row.expiresAt,
      },
    };
  }

  #touch(keyId: string): void {
    const now = Date.now();
    const last = this.#lastUsedWrites.get(keyId);
    if (last !== undefined && now - last < LAST_USED_EVERY_MS) return;
    this.#lastUsedWrites.set(keyId, now);
    this.#options.prisma.apiKey
      .update({ where: { id: keyId }, data: { lastUsedAt: new Date(now) } })
      .catch((error: unknown) => this.#options.logger.warn({ err: error, keyId }, 'could not record when a key was last used'));
  }
}
