import type { Prisma } from '#generated/prisma/client.ts';
import type { Viewer } from '../domain/access/viewer.ts';
import { ConflictError, InsufficientInventoryError, InvalidStateError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { bodyLimit } from 'hono/body-limit';
import type { TmfContext } from './context.ts';
import { badRequest, TmfError } from './errors.ts';

// What the TMF write routes share: who may write, reading a JSON body, and the domain's
// refusals as TMF errors.

/** The orders a viewer may see: a partner only those its keys placed. */
export const visibleOrders = (viewer: Viewer): Prisma.ServiceOrderWhereInput => (viewer.role === 'PARTNER' ? { partnerId: viewer.partnerId ?? '' } : {});

/** Placing, changing or cancelling orders: operators, admins and partners; viewers only read. */
export function assertMayOrder(viewer: Viewer): void {
  if (viewer.role === 'VIEWER') throw new TmfError(403, 'FORBIDDEN', 'Forbidden', 'a VIEWER key reads orders but may not place or change them');
}

/** A domain refusal as a TMF error: what the client sent is wrong (400), or clashes with what exists (409). */
export function domainError(error: unknown): never {
  if (error instanceof ValidationError) throw badRequest(error.message, 'INVALID_ORDER');
  if (error instanceof NotFoundError) throw new TmfError(404, 'NOT_FOUND', 'Not found', error.message);
  if (error instanceof ConflictError || error instanceof InvalidStateError) throw new TmfError(409, 'CONFLICT', 'Conflict', error.message);
  if (error instanceof InsufficientInventoryError) throw new TmfError(409, 'INSUFFICIENT_INVENTORY', 'Conflict', error.message);
  throw error;
}

export async function readJson(c: TmfContext, mediaTypes: readonly string[]): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!mediaTypes.includes(type)) throw new TmfError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', `send the body as ${mediaTypes.join(' or ')}`);
  try {
    return await c.req.json();
  } catch {
    throw badRequest('the body is not valid JSON');
  }
}


/** A 1,000-item order with characteristics is well under this. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Every TMF write route's body cap, counted as it streams (a chunked body has no Content-Length). */
export const limitedBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new TmfError(413, 'REQUEST_ENTITY_TOO_LARGE', 'Payload too large', `a body is at most ${MAX_BODY_BYTES} bytes`);
  },
});
