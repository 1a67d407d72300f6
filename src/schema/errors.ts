import {
  ConflictError,
  ForbiddenError,
  type DomainError,
  InsufficientInventoryError,
  TargetUnreachableError,
  type UnreachableHostIssue,
  InvalidStateError,
  InventoryImportError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
  type InventoryRowIssue,
} from '../domain/errors.ts';
import { builder } from './builder.ts';
import { UUID } from './global-id.ts';

/** Every typed error a mutation can return implements this interface. */
export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'A typed, expected error. Nothing was written when a mutation returns one.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

const FieldIssueRef = builder.objectRef<FieldIssue>('FieldIssue').implement({
  description: 'One problem with one input field.',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'Dotted path of the input, e.g. `input.variableSchema.properties.apn.type`.' }),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input was rejected; `issues` lists every problem found.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({ issues: t.field({ type: [FieldIssueRef], resolve: (error) => error.issues }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    entity: t.exposeString('entity'),
    reference: t.exposeString('reference', { description: 'The id or slug that was looked for.' }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The request clashes with existing data (e.g. a slug already taken).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ConflictError,
  fields: () => ({}),
});

builder.objectType(InvalidStateError, {
  name: 'InvalidStateError',
  description: 'The entity exists but its state does not allow the operation.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidStateError,
  fields: (t) => ({ currentState: t.exposeString('currentState') }),
});

builder.objectType(InsufficientInventoryError, {
  name: 'InsufficientInventoryError',
  description: 'The pool has too few matching AVAILABLE items; nothing was reserved.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InsufficientInventoryError,
  fields: (t) => ({
    kind: t.exposeString('kind'),
    requested: t.exposeInt('requested'),
    available: t.exposeInt('available'),
  }),
});

const UnreachableHostRef = builder.objectRef<UnreachableHostIssue>('UnreachableHost').implement({
  fields: (t) => ({ host: t.exposeString('host'), message: t.exposeString('message') }),
});

builder.objectType(TargetUnreachableError, {
  name: 'TargetUnreachableError',
  description: 'The product\'s reachability check could not reach these hosts of its target; nothing was reserved.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof TargetUnreachableError,
  fields: (t) => ({ target: t.exposeString('target'), hosts: t.field({ type: [UnreachableHostRef], resolve: (error) => error.hosts }) }),
});

const InventoryRowIssueRef = builder.objectRef<InventoryRowIssue>('InventoryRowIssue').implement({
  fields: (t) => ({
    index: t.exposeInt('index', { description: '0-based position of the row in the request.' }),
    identifier: t.exposeString('identifier'),
    message: t.exposeString('message'),
  }),
});

builder.objectType(InventoryImportError, {
  name: 'InventoryImportError',
  description: 'A bulk import was rejected as a whole; every bad row is listed and nothing was added.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InventoryImportError,
  fields: (t) => ({ rows: t.field({ type: [InventoryRowIssueRef], resolve: (error) => error.rows }) }),
});

/** The database id behind a Relay global id (or a raw UUID), or null when it cannot name an entity of this type. */
export function nodeIdOf(globalId: { typename: string; id: string }, typename: string): string | null {
  return (globalId.typename === typename || globalId.typename === '') && UUID.test(globalId.id) ? globalId.id : null;
}

/** Like nodeIdOf, for mutations: an id of another type is reported as not found. */
export function expectType(globalId: { typename: string; id: string }, typename: string): string {
  const id = nodeIdOf(globalId, typename);
  if (!id) throw new NotFoundError(typename, `${globalId.typename}:${globalId.id}`);
  return id;
}


builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'The caller\'s key may not do this (its role does not allow it); nothing was written.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ForbiddenError,
  fields: (t) => ({ role: t.exposeString('role', { description: 'The role of the key that was used.' }) }),
});

/** A domain error class, as a mutation's `errors.types` lists it. */
type DomainErrorClass = new (...args: never[]) => DomainError;

/**
 * A mutation's typed errors: those given, in their order, then ForbiddenError, which every
 * mutation returns when the caller's role may not use it (scope-auth's unauthorizedError). Every
 * mutation lists its errors with this, so none can leave ForbiddenError out of its result union
 * (test/unit/schema-errors.test.ts checks the built schema).
 */
export function errorTypes(...types: DomainErrorClass[]): DomainErrorClass[] {
  return [...types, ForbiddenError];
}
