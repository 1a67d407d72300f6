// execute() (domain/ports/sql.ts): which statements stay prepared, parameters in text format,
// and node-postgres' implementation; PGlite's is in pglite/execute.ts.
import type { Pool, PoolClient, Client } from 'pg';
import type { SqlStatements } from './sql-statements.ts';

/** Statements kept prepared per database: the run event store's shapes, with room to spare. */
export const MAX_PREPARED_STATEMENTS = 64;

export type Execute = SqlStatements['execute'];

/** Names the statements a database keeps prepared, up to MAX_PREPARED_STATEMENTS. */
export class StatementNames {
  private readonly names = new Map<string, string>();

  /** The name for this text, or undefined when it runs unprepared (not asked for, or the cache is full). */
  nameFor(sql: string, prepared: boolean | undefined): string | undefined {
    if (!prepared) return undefined;
    const known = this.names.get(sql);
    if (known !== undefined || this.names.size >= MAX_PREPARED_STATEMENTS) return known;
    const name = `provisio_${this.names.size + 1}`;
    this.names.set(sql, name);
    return name;
  }
}

/** A parameter in PostgreSQL's text format, as both drivers send it. */
export function textParameter(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  throw new TypeError(`unsupported statement parameter: ${Object.prototype.toString.call(value)} (pass JSON as a string)`);
}

/** PostgreSQL's error when a statement's name is unknown to the session; raised at Bind, before anything ran. */
const INVALID_STATEMENT_NAME = '26000';

export const isUnknownStatement = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === INVALID_STATEMENT_NAME;

/**
 * execute() on node-postgres, which prepares a named statement once per connection. Should a
 * connection not know a statement the driver believes prepared (a DEALLOCATE, or a connection
 * pooler in front of PostgreSQL that does not keep them), statements run unprepared from then on.
 */
export function pgExecute(db: Pool | PoolClient | Client): Execute {
  const names = new StatementNames();
  let preparing = true;
  return async (sql, params, options) => {
    const values = params.map(textParameter);
    const name = preparing ? names.nameFor(sql, options?.prepared) : undefined;
    if (name === undefined) {
      await db.query({ text: sql, values });
      return;
    }
    try {
      await db.query({ name, text: sql, values });
    } catch (error) {
      if (!isUnknownStatement(error)) throw error;
      preparing = false;
      await db.query({ text: sql, values });
    }
  };
}
