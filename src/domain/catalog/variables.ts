import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { ValidationError, issuesFromZod, type FieldIssue } from '../errors.ts';

/**
 * A product's variable schema: the JSON Schema subset request variables are checked against.
 * `secret: true` marks a variable that reaches the playbook but is never stored in clear text in
 * events or logs, nor returned by the API.
 */
export interface VariableSchema {
  type: 'object';
  properties: Record<string, VariableProperty>;
  required: string[];
}

export interface VariableProperty {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  title?: string | undefined;
  description?: string | undefined;
  enum?: Array<string | number | boolean> | undefined;
  default?: unknown;
  secret?: boolean | undefined;
  minimum?: number | undefined;
  maximum?: number | undefined;
  minLength?: number | undefined;
  maxLength?: number | undefined;
  pattern?: string | undefined;
  items?: VariableProperty | undefined;
}

const variableName = z.string().regex(/^[a-z_][a-z0-9_]{0,63}$/, 'variable names are lower_snake_case (Ansible variable rules)');

const propertySchema: z.ZodType<VariableProperty> = z.lazy(() =>
  z
    .object({
      type: z.enum(['string', 'integer', 'number', 'boolean', 'array', 'object']),
      title: z.string().max(200).optional(),
      description: z.string().max(2000).optional(),
      enum: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
      default: z.unknown().optional(),
      secret: z.boolean().optional(),
      minimum: z.number().optional(),
      maximum: z.number().optional(),
      minLength: z.number().int().min(0).optional(),
      maxLength: z.number().int().min(0).optional(),
      pattern: z
        .string()
        .refine((source) => {
          try {
            new RegExp(source, 'u');
            return true;
          } catch {
            return false;
          }
        }, 'pattern is not a valid regular expression')
        .optional(),
      items: propertySchema.optional(),
    })
    .strict(),
);

const schemaSchema = z
  .object({
    type: z.literal('object').default('object'),
    properties: z.record(variableName, propertySchema).default({}),
    required: z.array(z.string()).default([]),
  })
  .strict()
  .superRefine((schema, ctx) => {
    schema.required.forEach((name, index) => {
      if (!(name in schema.properties)) {
        ctx.addIssue({ code: 'custom', path: ['required', index], message: `required variable "${name}" is not in properties` });
      }
    });
  });

// ajv loads and builds its meta-schemas with the first variable check, not with the server: cold start.
const require = createRequire(import.meta.url);
let ajvInstance: Ajv | undefined;
function ajv(): Ajv {
  if (!ajvInstance) {
    const { Ajv: AjvClass } = require('ajv') as { Ajv: typeof Ajv };
    ajvInstance = new AjvClass({ allErrors: true, strict: true });
    ajvInstance.addKeyword({ keyword: 'secret', schemaType: 'boolean' });
  }
  return ajvInstance;
}

/**
 * Compiled validators by schema content, at most this many. Prisma hands out a fresh schema
 * object per request, and ajv keeps every object it compiled (keyed by identity) for ever:
 * compiling by content once, and dropping evicted schemas from ajv, bounds both.
 */
const MAX_VALIDATORS = 500;
const validators = new LRUCache<string, { schema: object; validate: ValidateFunction }>({
  max: MAX_VALIDATORS,
  dispose: ({ schema }) => ajv().removeSchema(schema),
});

function validatorFor(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let entry = validators.get(key);
  if (!entry) {
    entry = { schema, validate: ajv().compile(schema) };
    validators.set(key, entry);
  }
  return entry.validate;
}

/** Parses a variable schema given by an operator; defaults must satisfy their own property. */
export function parseVariableSchema(input: unknown, path = 'variableSchema'): VariableSchema {
  const parsed = schemaSchema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationError(issuesFromZod(parsed.error.issues, path));
  const schema = parsed.data as VariableSchema;
  const issues: FieldIssue[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    if (property.default === undefined) continue;
    const check = validatorFor(toJsonSchema(property));
    if (!check(property.default)) issues.push(...ajvIssues(check.errors, `${path}.properties.${name}.default`));
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return schema;
}

export function secretVariableNames(schema: VariableSchema): string[] {
  return Object.entries(schema.properties)
    .filter(([, property]) => property.secret === true)
    .map(([name]) => name);
}

/**
 * Checks values against the schema. `partial` is for product defaults, which need not list every
 * required variable. Unknown variables are rejected so that a typo never silently does nothing.
 */
export function validateVariables(schema: VariableSchema, values: unknown, path: string, options: { partial?: boolean } = {}): Record<string, unknown> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ValidationError([{ path, message: 'must be a JSON object of variable names to values' }]);
  }
  const check = validatorFor(toObjectSchema({ ...schema, required: options.partial ? [] : schema.required }));
  if (!check(values)) throw new ValidationError(ajvIssues(check.errors, path));
  return values as Record<string, unknown>;
}

/** Schema defaults, then product defaults, then the request: later wins. */
export function mergeVariables(schema: VariableSchema, productDefaults: Record<string, unknown>, request: Record<string, unknown>): Record<string, unknown> {
  const schemaDefaults = Object.fromEntries(
    Object.entries(schema.properties)
      .filter(([, property]) => property.default !== undefined)
      .map(([name, property]) => [name, property.default]),
  );
  return { ...schemaDefaults, ...productDefaults, ...request };
}

/** What the API shows instead of a secret. It is never a value: see secretMaskIssues. */
export const SECRET_MASK = '********';

/**
 * Where a secret variable's value, default or schema default is the mask itself: a client sent
 * back what it read. Such a "secret" would replace the real one, so it is refused.
 */
export function secretMaskIssues(schema: unknown, values: Record<string, unknown>, path: string): FieldIssue[] {
  const properties = (schema as { properties?: Record<string, { secret?: unknown; default?: unknown }> } | undefined)?.properties ?? {};
  const issues: FieldIssue[] = [];
  const message = `"${SECRET_MASK}" is how the API hides a secret, not a value: leave the field out to keep the secret, or send the new one`;
  for (const [name, property] of Object.entries(properties)) {
    if (property?.secret !== true) continue;
    if (property.default === SECRET_MASK) issues.push({ path: `variableSchema.properties.${name}.default`, message });
    if (values[name] === SECRET_MASK) issues.push({ path: `${path}.${name}`, message });
  }
  return issues;
}

/**
 * The values of every secret variable as the playbook will see them, whatever set them (the
 * schema's default, the product's default or the request): what the runner must mask. Non-string
 * values are masked in their JSON form.
 */
export function secretValues(schema: VariableSchema, merged: Record<string, unknown>): string[] {
  return secretVariableNames(schema)
    .filter((name) => merged[name] !== undefined && merged[name] !== null && merged[name] !== '')
    .map((name) => (typeof merged[name] === 'string' ? merged[name] : JSON.stringify(merged[name])));
}

/** Replaces secret values with a mask, for API output. */
export function maskSecretVariables(schema: VariableSchema, values: Record<string, unknown>): Record<string, unknown> {
  const secrets = new Set(secretVariableNames(schema));
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, secrets.has(name) ? SECRET_MASK : value]));
}

/** The schema with the defaults of secret variables masked, for API output. */
export function maskSecretDefaults(schema: VariableSchema): VariableSchema {
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([name, property]) => [
      name,
      property.secret && property.default !== undefined ? { ...property, default: SECRET_MASK } : property,
    ]),
  );
  return { ...schema, properties };
}

function toObjectSchema(schema: VariableSchema): object {
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, toJsonSchema(property)])),
    required: schema.required,
    additionalProperties: false,
  };
}

function toJsonSchema(property: VariableProperty): object {
  // `title`/`description`/`default` are annotations for ajv; `secret` is a registered keyword.
  const { items, ...rest } = property;
  return items ? { ...rest, items: toJsonSchema(items) } : rest;
}

function ajvIssues(errors: ErrorObject[] | null | undefined, path: string): FieldIssue[] {
  return (errors ?? []).map((error) => {
    const pointer = error.instancePath.split('/').filter(Boolean);
    if (error.keyword === 'required') pointer.push(String(error.params.missingProperty));
    if (error.keyword === 'additionalProperties') {
      pointer.push(String(error.params.additionalProperty));
      return { path: [path, ...pointer].join('.'), message: 'is not a variable of this product' };
    }
    const allowed = error.keyword === 'enum' ? `: ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` : '';
    return { path: [path, ...pointer].join('.'), message: `${error.message ?? 'is invalid'}${allowed}` };
  });
}

/** Splits request variables into plain ones and those the schema marks secret (stored sealed). */
export function splitSecrets(schema: VariableSchema, values: Record<string, unknown>) {
  const secrets = new Set(secretVariableNames(schema));
  const variables: Record<string, unknown> = {};
  const secretVariables: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) (secrets.has(name) ? secretVariables : variables)[name] = value;
  return { variables, secretVariables };
}
