/**
 * One SQL statement with `$1`-style parameters, straight to the driver. For the hot path where
 * Prisma's per-query work shows (event writes: a third of their CPU); everything else uses Prisma.
 */
export interface SqlStatements {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Runs one statement whose rows are not wanted: strings, numbers, booleans, Dates and nulls
   * as parameters. `prepared`: the text recurs, so the database parses and plans it once per
   * session instead of per call (on PGlite, two thirds of a lone event's write). A database
   * keeps a bounded number prepared; past that, such statements run unprepared.
   */
  execute(sql: string, params: readonly unknown[], options?: { prepared?: boolean }): Promise<void>;
}
