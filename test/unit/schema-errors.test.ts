import { getNamedType, isUnionType } from 'graphql';
import { expect, it } from 'vitest';
import { ForbiddenError } from '../../src/domain/errors.ts';
import { schema } from '../../src/schema/index.ts';

it('every mutation can return ForbiddenError, listed last among its errors (errorTypes)', () => {
  const missing: string[] = [];
  for (const field of Object.values(schema.getMutationType()!.getFields())) {
    const result = getNamedType(field.type);
    const types = (field.extensions?.['pothosOptions'] as { errors?: { types?: unknown[] } } | undefined)?.errors?.types;
    const inUnion = isUnionType(result) && result.getTypes().some((member) => member.name === 'ForbiddenError');
    if (!inUnion || types?.at(-1) !== ForbiddenError || types.indexOf(ForbiddenError) !== types.length - 1) missing.push(field.name);
  }
  expect(missing).toEqual([]);
});
