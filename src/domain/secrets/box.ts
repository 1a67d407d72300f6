/**
 * Seals secrets for storage and opens them again. Secret values (inventory secret attributes,
 * secret request variables, secret product defaults) are sealed before they are written and
 * opened only where their clear value is needed: to hand them to Ansible, and to compare them.
 */
export interface SecretBox {
  /** Seals any JSON value under the current key; `name` (the variable or attribute) is bound to it. */
  seal(name: string, value: unknown): string;
  /** Opens a value sealed under `name`; throws SecretKeyError when no held key opens it. */
  open(name: string, sealed: string): unknown;
  /** The id of the key a value is sealed under; undefined when it is not a sealed value. */
  keyIdOf(value: unknown): string | undefined;
  /** The same secret under the current key: only its data key is wrapped again. */
  rewrap(sealed: string): string;
  readonly currentKeyId: string;
  /** Every sealed value starts with this (then the key id and ':'): SQL finds unsealed values by it. */
  readonly sealedPrefix: string;
}

/** A sealed secret that no held key opens: the key is missing, wrong, or the value was altered. */
export class SecretKeyError extends Error {}

/** Seals every value of a secret map (secret attributes, secret variables). */
export function sealValues(box: SecretBox, values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, box.seal(name, value)]));
}

/**
 * Opens every value of a secret map. A value that is not sealed is returned as it is: it was
 * written before secrets were encrypted (start-up seals those) or by an older instance.
 */
export function openValues(box: SecretBox, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, openValue(box, name, value)]));
}

function openValue(box: SecretBox, name: string, value: unknown): unknown {
  return box.keyIdOf(value) === undefined ? value : box.open(name, value as string);
}

/**
 * The part of a product's variable schema that marks its secret variables and their defaults
 * (the catalog's VariableSchema fits it): the box needs no more, so it stays below the catalog.
 */
export interface SecretMarkedSchema {
  properties: Record<string, { secret?: boolean | undefined; default?: unknown }>;
}

interface ProductSecrets {
  variableSchema: SecretMarkedSchema;
  defaultVariables: Record<string, unknown>;
}

/** A product's definition with the defaults of its secret variables (schema and product defaults) sealed. */
export function sealProductSecrets<T extends ProductSecrets>(box: SecretBox, product: T): T {
  return mapProductSecrets(product, (name, value) => box.seal(name, value));
}

/** A product's definition with its secret defaults opened, to merge them into a playbook's variables. */
export function openProductSecrets<T extends ProductSecrets>(box: SecretBox, product: T): T {
  return mapProductSecrets(product, (name, value) => openValue(box, name, value));
}

/** Applies `map` to every secret default of a product (schema defaults and product defaults). */
export function mapProductSecrets<T extends ProductSecrets>(product: T, map: (name: string, value: unknown) => unknown): T {
  const properties = { ...product.variableSchema.properties };
  const defaultVariables = { ...product.defaultVariables };
  for (const [name, property] of Object.entries(properties)) {
    if (property.secret !== true) continue;
    if (property.default !== undefined) properties[name] = { ...property, default: map(name, property.default) };
    if (defaultVariables[name] !== undefined) defaultVariables[name] = map(name, defaultVariables[name]);
  }
  return { ...product, variableSchema: { ...product.variableSchema, properties }, defaultVariables };
}
