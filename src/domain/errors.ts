/**
 * Errors the domain reports to callers. The GraphQL layer maps each class to a typed union member;
 * anything else that is thrown is a bug and is masked as "Unexpected error".
 */

export interface FieldIssue {
  /** Dotted path of the offending input, e.g. `variables.apn` or `inventoryRequirements.0.count`. */
  path: string;
  message: string;
}

export class DomainError extends Error {
  override name = 'DomainError';
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  readonly entity: string;
  readonly reference: string;
  constructor(entity: string, reference: string) {
    super(`${entity} ${reference} was not found`);
    this.entity = entity;
    this.reference = reference;
  }
}

export class ValidationError extends DomainError {
  override name = 'ValidationError';
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[], message?: string) {
    super(message ?? `Invalid input: ${issues.map((issue) => `${issue.path || '(input)'}: ${issue.message}`).join('; ')}`);
    this.issues = issues;
  }
}

export class ConflictError extends DomainError {
  override name = 'ConflictError';
}

/** The entity exists but is not in a state that allows the operation. */
export class InvalidStateError extends DomainError {
  override name = 'InvalidStateError';
  readonly currentState: string;
  constructor(message: string, currentState: string) {
    super(message);
    this.currentState = currentState;
  }
}

/** A provision needs more matching AVAILABLE items than the pool has; nothing was reserved. */
export class InsufficientInventoryError extends DomainError {
  override name = 'InsufficientInventoryError';
  readonly kind: string;
  readonly requested: number;
  readonly available: number;
  constructor(kind: string, requested: number, available: number) {
    super(`not enough AVAILABLE ${kind} items: ${requested} needed, ${available} matching available`);
    this.kind = kind;
    this.requested = requested;
    this.available = available;
  }
}

export interface UnreachableHostIssue {
  host: string;
  message: string;
}

/** The product's reachability check could not reach some hosts of its target; nothing was reserved. */
export class TargetUnreachableError extends DomainError {
  override name = 'TargetUnreachableError';
  readonly target: string;
  readonly hosts: UnreachableHostIssue[];
  constructor(target: string, hosts: UnreachableHostIssue[]) {
    super(`target ${target}: ${hosts.map((h) => `${h.host} unreachable (${h.message})`).join('; ')}; nothing was reserved`);
    this.target = target;
    this.hosts = hosts;
  }
}

export interface InventoryRowIssue {
  /** 0-based index of the row in the request. */
  index: number;
  identifier: string;
  message: string;
}

/** A bulk inventory import was rejected as a whole; every bad row is listed. */
export class InventoryImportError extends DomainError {
  override name = 'InventoryImportError';
  readonly rows: InventoryRowIssue[];
  constructor(rows: InventoryRowIssue[]) {
    super(`${rows.length} row(s) rejected; nothing was added`);
    this.rows = rows;
  }
}

/** Turns zod issues into field issues, prefixing each path. */
export function issuesFromZod(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  prefix = '',
): FieldIssue[] {
  return issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

/** The caller's key may not do this; nothing was written. Objects it may not see are NotFound instead. */
export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  readonly role: string;
  constructor(message: string, role: string) {
    super(message);
    this.role = role;
  }
}
