// The TMF contract check (CI, static): the OpenAPI documents Provisio serves for its TM Forum
// APIs keep every required field and every type of the TM Forum's own documents (spec/tmf/)
// for the operations Provisio implements.
//   node scripts/tmf-contract.ts
import { BASE_PATHS, contractProblems, IMPLEMENTED, KNOWN_DEVIATIONS, openApiDocument, tmfDocument } from '../src/tmf/openapi.ts';

let failed = false;
for (const api of Object.keys(BASE_PATHS) as Array<keyof typeof BASE_PATHS>) {
  const problems = contractProblems(api, tmfDocument(api), openApiDocument(api));
  const operations = Object.values(IMPLEMENTED[api]).flat().length;
  console.log(`${api}: ${operations} operations, ${problems.length === 0 ? 'the contract holds' : `${problems.length} problems`}`);
  for (const problem of problems) console.log(`  ${problem}`);
  failed ||= problems.length > 0;
}
for (const deviation of KNOWN_DEVIATIONS) console.log(`known deviation: ${deviation}`);
process.exit(failed ? 1 : 0);
