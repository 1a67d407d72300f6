import { decodeGlobalID } from '@pothos/plugin-relay';
import { ValidationError } from '../domain/errors.ts';

/** A database id (what logs show). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Relay global ids, and the raw UUIDs logs and the database show (typename unknown: an argument
 * that expects a type takes it as one of that type). Ids that are neither are a typed input
 * error, not an "Unexpected error.".
 */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  if (UUID.test(globalId)) return { typename: '', id: globalId.toLowerCase() };
  try {
    return decodeGlobalID(globalId);
  } catch {
    const shown = globalId.length > 80 ? `${globalId.slice(0, 80)}…` : globalId;
    throw new ValidationError([{ path: 'id', message: `"${shown}" is not an id this API issued` }]);
  }
}
