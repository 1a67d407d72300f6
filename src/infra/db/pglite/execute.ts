// PGlite's private API: `_runExclusiveQuery` and `_runExclusiveTransaction`, the locks its own
// query() takes (execProtocol alone takes none). Should an upgrade rename them, tsc fails here; a
// change of meaning shows in test/sql-execute.test.ts, "does not run inside somebody else's
// transaction" (execute on PGlite).
import type { PGlite } from '@electric-sql/pglite';
import { protocol } from '@electric-sql/pglite';
import { isUnknownStatement, StatementNames, textParameter, type Execute } from '../prepared.ts';

type PGliteStatements = Pick<PGlite, 'execProtocol' | '_runExclusiveQuery' | '_runExclusiveTransaction'>;

/**
 * execute() on PGlite: Bind, Execute and Sync in one message (PGlite's query() makes six round
 * trips into PostgreSQL: Parse, Describe, Bind, Describe, Execute, Sync). A statement is parsed
 * under its name the first time; should PostgreSQL have dropped it, it is parsed again.
 */
export function pgliteExecute(db: PGliteStatements): Execute {
  const names = new StatementNames();
  const parsed = new Set<string>();
  const run = (message: Uint8Array) =>
    // The same locks as query(): nothing runs inside another caller's transaction.
    db._runExclusiveTransaction(() => db._runExclusiveQuery(() => db.execProtocol(message)));
  return async (sql, params, options) => {
    const values = params.map(textParameter);
    const name = names.nameFor(sql, options?.prepared);
    if (name === undefined) {
      await run(concat(protocol.serialize.parse({ text: sql, types: [] }), ...executeMessages('', values)));
      return;
    }
    const prepare = async () => {
      await run(concat(protocol.serialize.parse({ name, text: sql, types: [] }), protocol.serialize.sync()));
      parsed.add(name);
    };
    if (!parsed.has(name)) await prepare();
    try {
      await run(concat(...executeMessages(name, values)));
    } catch (error) {
      if (!isUnknownStatement(error)) throw error;
      parsed.delete(name);
      await prepare();
      await run(concat(...executeMessages(name, values)));
    }
  };
}

function executeMessages(statement: string, values: Array<string | null>): Uint8Array[] {
  return [protocol.serialize.bind({ statement, values }), protocol.serialize.execute({}), protocol.serialize.sync()];
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const message = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    message.set(part, offset);
    offset += part.length;
  }
  return message;
}
