// Prints the GraphQL schema to schema.graphql (committed, for partners' codegen).
// `--check` exits 1 when the committed file is stale instead of writing it.
import fs from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from '../src/schema/index.ts';

const target = new URL('../schema.graphql', import.meta.url);
const printed = `${printSchema(schema)}\n`;

if (process.argv.includes('--check')) {
  const committed = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (committed !== printed) {
    console.error('schema.graphql is stale: run `npm run schema:print` and commit it.');
    process.exit(1);
  }
  console.log('schema.graphql is current');
} else {
  fs.writeFileSync(target, printed);
  console.log(`wrote schema.graphql (${printed.length} bytes)`);
}
