import { decodeGlobalID } from '@pothos/plugin-relay';
import { ValidationError } from '../domain/errors.ts';

/** Relay global ids that do not decode are a typed input error, not an "Unexpected error.". */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  try {
    return decodeGlobalID(globalId);
  } catch {
    const shown = globalId.length > 80 ? `${globalId.slice(0, 80)}…` : globalId;
    throw new ValidationError([{ path: 'id', message: `"${shown}" is not an id this API issued` }]);
  }
}
