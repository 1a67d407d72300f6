import { isStaff, type Viewer } from '../domain/access/viewer.ts';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { createTarget, deleteTarget, storedInventory, storedLimits, updateTarget } from '../domain/targets.ts';
import { builder, type InputFieldBuilder } from './builder.ts';
import { errorTypes, expectType } from './errors.ts';

/** node(id) of a staff-only type: for partners it does not exist. */
export const staffOnlyNode = (id: string, ctx: { viewer: Viewer }) => ({ id, AND: [isStaff(ctx.viewer) ? {} : { id: { in: [] } }] });

export const TargetRef = builder.prismaNode('Target', {
  id: { field: 'id' },
  findUnique: staffOnlyNode,
  nullable: true,
  description: 'A named Ansible inventory of network elements that products\' playbooks run against. Every change makes a new version; a run records the version it used. Staff only.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    version: t.exposeInt('version', { description: 'Send it back as updateTarget\'s expectedVersion to refuse a lost update.' }),
    inventory: t.field({
      type: 'JSONObject',
      description: '{ vars, hosts: { name: vars }, groups: { name: { hosts, children, vars } } }. Every value reaches Ansible as data, never as a template.',
      resolve: (target) => storedInventory(target.inventory) as unknown as Record<string, unknown>,
    }),
    hosts: t.stringList({ resolve: (target) => Object.keys(storedInventory(target.inventory).hosts).sort() }),
    knownHosts: t.exposeString('knownHosts', { description: 'known_hosts lines: with them SSH checks the hosts\' keys strictly; empty: a key is accepted as first seen in each run.' }),
    limits: t.field({
      type: 'JSONObject',
      description: 'Runs at most at once per host or group; a run counts against every limited host it touches and every limited group holding one of them.',
      resolve: (target) => storedLimits(target.limits),
    }),
    products: t.relation('products', { description: 'Products whose playbooks run against this target.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectFields('Product', (t) => ({
  target: t.relation('target', { nullable: true, authScopes: { staff: true }, description: 'The inventory its playbooks run against; null: localhost. Staff only.' }),
  targetHosts: t.exposeString('targetHosts', { nullable: true, authScopes: { staff: true }, description: 'Host pattern within the target (Ansible\'s --limit); null: all its hosts. Staff only.' }),
  checkReachability: t.exposeBoolean('checkReachability', { authScopes: { staff: true }, description: 'A provision first pings the target\'s hosts and reserves nothing when one is unreachable. Staff only.' }),
}));

builder.queryFields((t) => ({
  targets: t.prismaConnection({
    type: 'Target',
    cursor: 'id',
    authScopes: { staff: true },
    totalCount: (_parent, _args, ctx) => ctx.prisma.target.count(),
    resolve: (query, _parent, _args, ctx) => ctx.prisma.target.findMany({ ...query, orderBy: [{ name: 'asc' }] }),
  }),
  target: t.prismaField({
    type: 'Target',
    nullable: true,
    authScopes: { staff: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (query, _parent, args, ctx) => ctx.prisma.target.findUnique({ ...query, where: { name: args.name } }),
  }),
}));

const inventoryFields = (t: InputFieldBuilder) => ({
  description: t.string(),
  inventory: t.field({ type: 'JSONObject', description: '{ vars, hosts: { name: vars }, groups: { name: { hosts, children, vars } } }.' }),
  inventoryText: t.string({ description: 'A standard Ansible inventory file (YAML or INI, ranges like olt[01:04] included), read by ansible-inventory. Give this or inventory.' }),
  knownHosts: t.string({ description: 'known_hosts lines for the hosts (ssh-keyscan prints them).' }),
  limits: t.field({ type: 'JSONObject', description: 'Runs at most at once per host or group, e.g. { "olt-1": 1 } for an element that takes one configuration session at a time. Runs over a limit wait QUEUED.' }),
});

const CreateTargetInput = builder.inputType('CreateTargetInput', {
  fields: (t) => ({ name: t.string({ required: true }), ...inventoryFields(t) }),
});

const UpdateTargetInput = builder.inputType('UpdateTargetInput', {
  description: 'Fields left out keep their value; the result is a new version.',
  fields: (t) => ({ name: t.string(), ...inventoryFields(t) }),
});

builder.mutationFields((t) => ({
  createTarget: t.field({
    type: TargetRef,
    authScopes: { operator: true },
    args: { input: t.arg({ type: CreateTargetInput, required: true }) },
    errors: { types: errorTypes(ValidationError, ConflictError), dataField: { name: 'target' } },
    resolve: (_parent, { input }, ctx) => createTarget(ctx, input),
  }),
  updateTarget: t.field({
    type: TargetRef,
    authScopes: { operator: true },
    args: { id: t.arg.globalID({ required: true }), input: t.arg({ type: UpdateTargetInput, required: true }), expectedVersion: t.arg.int() },
    errors: { types: errorTypes(ValidationError, ConflictError, NotFoundError), dataField: { name: 'target' } },
    resolve: (_parent, { id, input, expectedVersion }, ctx) => updateTarget(ctx, expectType(id, 'Target'), input, expectedVersion),
  }),
  deleteTarget: t.field({
    type: TargetRef,
    authScopes: { operator: true },
    description: 'Deletes a target no product uses. Runs keep the name and version they recorded.',
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: errorTypes(NotFoundError, ConflictError), dataField: { name: 'target' } },
    resolve: (_parent, { id }, ctx) => deleteTarget(ctx, expectType(id, 'Target')),
  }),
}));
