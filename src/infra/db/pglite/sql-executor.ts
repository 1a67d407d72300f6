// SqlExecutor over PGlite. Type-only imports: loading this module does not load PGlite.
import type { PGliteInterface, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import type { SqlExecutor, SqlQueryable } from '../sql-executor.ts';

type PGliteLike = Pick<PGliteInterface, 'query' | 'exec' | 'transaction'>;

function pgliteQueryable(db: PGliteLike | PGliteTransaction): SqlQueryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]) {
      return (await db.query<T>(sql, params ? [...params] : undefined)).rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

/** Executor over a PGlite instance (one session: no `session`, hence no advisory lock). */
export function pgliteExecutor(db: PGliteLike): SqlExecutor {
  return {
    ...pgliteQueryable(db),
    // PGlite's own transaction() holds its mutex, so nothing else interleaves with the migration.
    transaction: (fn) => db.transaction((tx) => fn(pgliteQueryable(tx))),
  };
}
