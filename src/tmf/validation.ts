import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { badRequest } from './errors.ts';

// Request bodies are checked against the TM Forum's own schemas (the swagger documents in
// spec/tmf/, as published), by ajv: a body the specification refuses never reaches the domain.

const SPEC_DIR = new URL('../../spec/tmf/', import.meta.url);

export const SPECS = {
  serviceOrdering: 'TMF641-ServiceOrdering-v4.1.0.swagger.json',
  serviceInventory: 'TMF638-ServiceInventory-v4.0.0.swagger.json',
  serviceCatalog: 'TMF633-ServiceCatalog-v4.0.0.swagger.json',
} as const;

const require = createRequire(import.meta.url);
let ajvInstance: Ajv | undefined;

/** Built with the first body checked, not with the server (ajv's meta-schemas cost a cold start). */
function ajv(): Ajv {
  if (!ajvInstance) {
    const { Ajv: AjvClass } = require('ajv') as { Ajv: typeof Ajv };
    const addFormats = require('ajv-formats') as (ajv: Ajv, formats: string[]) => Ajv;
    // strict: false: the swagger documents carry keywords JSON Schema does not know (example…).
    // Every format the documents use is checked: an unknown one would be ignored with a warning.
    ajvInstance = addFormats(new AjvClass({ allErrors: true, strict: false }), ['date-time', 'uri', 'float']);
    ajvInstance.addFormat('base64', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  }
  return ajvInstance;
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(spec: keyof typeof SPECS, definition: string): ValidateFunction {
  const key = `${spec}#${definition}`;
  let validate = validators.get(key);
  if (!validate) {
    if (!ajv().getSchema(spec)) {
      const document = JSON.parse(fs.readFileSync(new URL(SPECS[spec], SPEC_DIR), 'utf8')) as { definitions: Record<string, { required?: string[] }> };
      // A defect of the TMF641 4.1.0 document: ServiceOrderItemRef requires an `id` it does not
      // define (the item is named by `itemId`). Required as published, no reference could pass.
      const itemRef = document.definitions['ServiceOrderItemRef'];
      if (itemRef?.required) itemRef.required = itemRef.required.filter((name) => name !== 'id');
      ajv().addSchema({ $id: spec, definitions: document.definitions });
    }
    validate = ajv().getSchema(`${spec}#/definitions/${definition}`);
    if (!validate) throw new Error(`no definition ${definition} in ${SPECS[spec]}`);
    validators.set(key, validate);
  }
  return validate;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '(body)';
  if (error.keyword === 'required') return `${where}: ${String((error.params as { missingProperty: string }).missingProperty)} is required`;
  if (error.keyword === 'enum') return `${where}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${where}: ${error.message ?? 'is invalid'}`;
}

/** Where a document breaks a definition of the specification (empty: it conforms). */
export function specProblems(spec: keyof typeof SPECS, definition: string, document: unknown): string[] {
  const validate = validatorFor(spec, definition);
  return validate(document) ? [] : [...new Set((validate.errors ?? []).map(describe))];
}

/** Throws a 400 TmfError naming every place the body breaks the specification's schema. */
export function assertMatchesSpec(spec: keyof typeof SPECS, definition: string, body: unknown): asserts body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`the body must be a JSON object (${definition})`);
  const problems = specProblems(spec, definition, body);
  if (problems.length === 0) return;
  throw badRequest(`the body does not match TMF ${definition}: ${problems.slice(0, 20).join('; ')}`, 'SCHEMA_VIOLATION');
}
