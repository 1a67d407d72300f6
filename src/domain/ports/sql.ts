/**
 * One SQL statement with `$1`-style parameters, straight to the driver. For the hot path where
 * Prisma's per-query work shows (event writes: a third of their CPU); everything else uses Prisma.
 */
export interface SqlStatements {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}
