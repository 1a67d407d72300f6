// Transaction control inside migration scripts: a small SQL lexer that splits a script into its
// top-level statements and finds the `BEGIN;` / `COMMIT;` among them, which the applier blanks
// out because they would end its own transaction early.

interface Range { start: number; end: number }

const TX_CONTROL = /^(?:BEGIN|START\s+TRANSACTION|COMMIT|END)(?:\s+(?:WORK|TRANSACTION))?(?:\s+ISOLATION\s+LEVEL\s+[A-Z ]+)?$/i;

/**
 * Finds top-level `BEGIN;` / `COMMIT;` (and synonyms) in a script. A small lexer: string
 * literals, quoted identifiers, dollar quotes, comments and `BEGIN ATOMIC … END` function
 * bodies are skipped, so PL/pgSQL `BEGIN … END` blocks are never touched.
 */
export function findTransactionControl(sql: string): Range[] {
  const found: Range[] = [];
  let stmtStart = 0;
  let words: string[] = []; // top-level words of the current statement, upper-cased
  let atomicDepth = 0; // > 0 inside BEGIN ATOMIC … END, where ';' does not end the statement
  let i = 0;
  const n = sql.length;

  const endStatement = (end: number) => {
    const text = words.join(' ');
    if (TX_CONTROL.test(text)) found.push({ start: stmtStart, end });
    stmtStart = end;
    words = [];
    atomicDepth = 0;
  };

  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') { depth++; i += 2; }
        else if (sql[i] === '*' && sql[i + 1] === '/') { depth--; i += 2; }
        else i++;
      }
    } else if (c === "'") {
      // E'…' strings allow backslash escapes; '' is an escaped quote in both kinds.
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && !/[\w$]/.test(sql[i - 2] ?? ' ');
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') { i += 2; continue; }
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") { i += 2; continue; }
          i++;
          break;
        }
        i++;
      }
      words.push('?');
    } else if (c === '"') {
      const close = sql.indexOf('"', i + 1);
      // "" inside an identifier is an escaped quote: the loop continues at the second one.
      i = close === -1 ? n : close + 1;
      words.push('?');
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '') && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m) {
        const close = sql.indexOf(m[0], i + m[0].length);
        i = close === -1 ? n : close + m[0].length;
        words.push('?');
      } else {
        i++;
      }
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(sql[j]!)) j++;
      const word = sql.slice(i, j).toUpperCase();
      if (atomicDepth > 0) {
        if (word === 'BEGIN' || word === 'CASE') atomicDepth++;
        else if (word === 'END') atomicDepth--;
      } else if (word === 'ATOMIC' && words.at(-1) === 'BEGIN' && words.length > 1) {
        atomicDepth = 1;
      }
      words.push(word);
      i = j;
    } else if (c === ';' && atomicDepth === 0) {
      endStatement(i + 1);
      i++;
    } else {
      if (!/\s/.test(c)) words.push(c);
      i++;
    }
  }
  if (words.length > 0) endStatement(n);
  return found;
}

/** The script with its top-level transaction control blanked out (newlines kept, so error positions still point at the right line). */
export function stripTransactionControl(sql: string): string {
  const ranges = findTransactionControl(sql);
  if (ranges.length === 0) return sql;
  let out = '';
  let last = 0;
  for (const r of ranges) {
    out += sql.slice(last, r.start) + sql.slice(r.start, r.end).replace(/[^\n]/g, ' ');
    last = r.end;
  }
  return out + sql.slice(last);
}
