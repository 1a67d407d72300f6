import fs from 'node:fs';
import { SPECS } from './validation.ts';

// The OpenAPI (Swagger 2.0, as the TM Forum publishes) documents Provisio serves for its TMF
// APIs: the TMF document restricted to the operations Provisio implements, with Provisio's
// extensions (TMF630: by @type), and a contract check that holds them to the TMF documents.

type Api = keyof typeof SPECS;
type Schema = { type?: string; format?: string; $ref?: string; items?: Schema; required?: string[]; properties?: Record<string, Schema>; allOf?: Schema[]; [key: string]: unknown };
interface Operation {
  parameters?: Array<Schema & { name: string; in: string; required?: boolean; schema?: Schema }>;
  responses?: Record<string, { schema?: Schema }>;
}
export interface SwaggerDocument {
  info: Record<string, unknown>;
  basePath: string;
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, Schema>;
  [key: string]: unknown;
}

/** The operations Provisio serves, per API (what the contract check holds to the TMF documents). */
export const IMPLEMENTED: Record<Api, Record<string, string[]>> = {
  serviceOrdering: {
    '/serviceOrder': ['get', 'post'],
    '/serviceOrder/{id}': ['get', 'patch', 'delete'],
    '/cancelServiceOrder': ['get', 'post'],
    '/cancelServiceOrder/{id}': ['get'],
    '/hub': ['post'],
    '/hub/{id}': ['delete'],
  },
  serviceInventory: { '/service': ['get'], '/service/{id}': ['get'], '/hub': ['post'], '/hub/{id}': ['delete'] },
  serviceCatalog: { '/serviceSpecification': ['get'], '/serviceSpecification/{id}': ['get'], '/hub': ['post'], '/hub/{id}': ['delete'] },
};

export const BASE_PATHS: Record<Api, string> = {
  serviceOrdering: '/tmf-api/serviceOrdering/v4',
  serviceInventory: '/tmf-api/serviceInventory/v4',
  serviceCatalog: '/tmf-api/serviceCatalogManagement/v4',
};

/**
 * Where Provisio departs from a TMF document on purpose: the check reports these as known, not
 * as problems. TMF641 4.1.0's ServiceOrderItemRef requires an `id` it does not define.
 */
export const KNOWN_DEVIATIONS = ['serviceOrdering: ServiceOrderItemRef no longer requires id'];

const SECRET_SCHEMA: Schema = { type: 'string', description: 'The hub\'s Standard Webhooks signing secret, shown once: every event carries webhook-id, webhook-timestamp and webhook-signature headers.' };

/** Provisio's additions to each API's definitions: new definitions, and properties added to TMF ones. */
const EXTENSIONS: Record<Api, { definitions: Record<string, Schema>; properties: Record<string, Record<string, Schema>>; unrequire: Record<string, string[]> }> = {
  serviceOrdering: { definitions: {}, properties: { EventSubscription: { secret: SECRET_SCHEMA } }, unrequire: { ServiceOrderItemRef: ['id'] } },
  serviceInventory: { definitions: {}, properties: { EventSubscription: { secret: SECRET_SCHEMA } }, unrequire: {} },
  serviceCatalog: {
    definitions: {
      ProvisioServiceSpecification: {
        description: 'A product as a ServiceSpecification, with the actions its services support (@baseType ServiceSpecification).',
        allOf: [
          { $ref: '#/definitions/ServiceSpecification' },
          {
            type: 'object',
            properties: {
              serviceActions: {
                type: 'array',
                items: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' }, specCharacteristic: { type: 'array', items: { $ref: '#/definitions/CharacteristicSpecification' } } } },
              },
            },
          },
        ],
      },
      ProvisioCharacteristicSpecification: {
        description: 'A secret characteristic: its value is never shown (@baseType CharacteristicSpecification).',
        allOf: [{ $ref: '#/definitions/CharacteristicSpecification' }, { type: 'object', properties: { secret: { type: 'boolean' } } }],
      },
    },
    properties: { EventSubscription: { secret: SECRET_SCHEMA } },
    unrequire: {},
  },
};

export function tmfDocument(api: Api): SwaggerDocument {
  return JSON.parse(fs.readFileSync(new URL(`../../spec/tmf/${SPECS[api]}`, import.meta.url), 'utf8')) as SwaggerDocument;
}

/** The document Provisio serves at `{basePath}/openapi.json`. */
export function openApiDocument(api: Api): SwaggerDocument {
  const tmf = tmfDocument(api);
  const paths = Object.fromEntries(
    Object.entries(IMPLEMENTED[api]).map(([path, methods]) => [path, Object.fromEntries(methods.map((method) => [method, tmf.paths[path]![method]!]))]),
  );
  const extension = EXTENSIONS[api];
  const definitions: Record<string, Schema> = { ...tmf.definitions, ...extension.definitions };
  for (const [name, properties] of Object.entries(extension.properties)) definitions[name] = { ...definitions[name], properties: { ...definitions[name]!.properties, ...properties } };
  for (const [name, dropped] of Object.entries(extension.unrequire)) definitions[name] = { ...definitions[name], required: (definitions[name]!.required ?? []).filter((field) => !dropped.includes(field)) };
  const { host: _host, schemes: _schemes, ...rest } = tmf;
  return {
    ...rest,
    info: { ...tmf.info, title: `Provisio: ${String(tmf.info['title'])}`, description: `${String(tmf.info['title'])} ${String(tmf.info['version'])} as Provisio serves it: the operations it implements, with its extensions (by @type). API keys in the Authorization header (Bearer).` },
    basePath: BASE_PATHS[api],
    paths,
    definitions,
  };
}

const typeOf = (schema: Schema | undefined): string =>
  !schema ? 'nothing' : schema.$ref ?? `${schema.type ?? 'any'}${schema.format ? `(${schema.format})` : ''}${schema.items ? `[${typeOf(schema.items)}]` : ''}`;

/** Definitions an operation's parameters and responses reach, through every $ref. */
function reachable(document: SwaggerDocument, operation: Operation): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') {
        const name = child.replace('#/definitions/', '');
        if (!found.has(name)) {
          found.add(name);
          visit(document.definitions[name]);
        }
      } else visit(child);
    }
  };
  visit(operation);
  return found;
}

/**
 * The static contract check: for every implemented operation, its parameters, and every
 * definition it reaches in the TMF document, no required field or parameter missing and no type
 * changed in ours. Returns the problems (empty: the contract holds).
 */
export function contractProblems(api: Api, tmf: SwaggerDocument, ours: SwaggerDocument): string[] {
  const problems: string[] = [];
  const definitions = new Set<string>();
  for (const [path, methods] of Object.entries(IMPLEMENTED[api])) {
    for (const method of methods) {
      const theirs = tmf.paths[path]?.[method];
      const mine = ours.paths[path]?.[method];
      if (!theirs) problems.push(`${method.toUpperCase()} ${path} is not an operation of the TMF document`);
      if (!mine) problems.push(`${method.toUpperCase()} ${path} is served but not documented`);
      if (!theirs || !mine) continue;
      for (const parameter of theirs.parameters ?? []) {
        const counterpart = mine.parameters?.find((candidate) => candidate.name === parameter.name && candidate.in === parameter.in);
        if (!counterpart) problems.push(`${method.toUpperCase()} ${path}: parameter ${parameter.name} missing`);
        else if (typeOf(parameter.schema ?? parameter) !== typeOf(counterpart.schema ?? counterpart)) problems.push(`${method.toUpperCase()} ${path}: parameter ${parameter.name} changed type`);
      }
      for (const name of reachable(tmf, theirs)) definitions.add(name);
    }
  }
  for (const name of definitions) {
    const theirs = tmf.definitions[name]!;
    const mine = ours.definitions[name];
    if (!mine) {
      problems.push(`${name} is missing`);
      continue;
    }
    for (const field of theirs.required ?? []) if (!(mine.required ?? []).includes(field)) problems.push(`${name} no longer requires ${field}`);
    for (const [property, schema] of Object.entries(theirs.properties ?? {})) {
      if (typeOf(schema) !== typeOf(mine.properties?.[property])) problems.push(`${name}.${property}: ${typeOf(schema)} became ${typeOf(mine.properties?.[property])}`);
    }
  }
  return problems.map((problem) => `${api}: ${problem}`).filter((problem) => !KNOWN_DEVIATIONS.includes(problem));
}
