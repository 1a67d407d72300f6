/** Migrations cannot be applied as they are; the message says why and what to do. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}
