import { envelop, useEngine, useSchema } from '@envelop/core';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, execute, parse, specifiedRules, subscribe, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isBackground } from '../../src/domain/background-work.ts';
import { useCostLimit } from '../../src/server/limits.ts';

/** A schema whose one field waits until the test lets it go, and records when it started. */
function slowSchema() {
  const started: string[] = [];
  const releases: Array<() => void> = [];
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        slow: {
          type: GraphQLString,
          args: { name: { type: GraphQLString } },
          resolve: async (_root, args: { name: string }) => {
            started.push(args.name);
            await new Promise<void>((resolve) => releases.push(resolve));
            return args.name;
          },
        },
      },
    }),
  });
  return { schema, started, release: () => releases.shift()?.() };
}

/** An executor with one cost-limit plugin (its turn-taking is per plugin, as per server). */
function executor(schema: GraphQLSchema, limits: Parameters<typeof useCostLimit>[0]) {
  const getEnveloped = envelop({ plugins: [useEngine({ parse, validate, execute, subscribe, specifiedRules }), useSchema(schema), useCostLimit(limits)] });
  /** `{ slow }` costs 1; `extra` adds a field (cost 2). */
  return (name: string, extra = '') => {
    const { execute: run, schema: enveloped } = getEnveloped({});
    return Promise.resolve(run({ schema: enveloped, document: parse(`{ slow(name: "${name}") ${extra} }`), contextValue: {} }));
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('heavy operations take turns', () => {
  it('runs heavy operations as background work (their database queries yield), cheap ones not', async () => {
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { background: { type: GraphQLString, resolve: async () => String(isBackground()) } } }),
    });
    const getEnveloped = envelop({ plugins: [useEngine({ parse, validate, execute, subscribe, specifiedRules }), useSchema(schema), useCostLimit({ maxCost: 100, heavyCost: 1, maxHeavyWaiting: 5 })] });
    const run = async (query: string) => {
      const { execute: runOperation, schema: enveloped } = getEnveloped({});
      return runOperation({ schema: enveloped, document: parse(query), contextValue: {} });
    };
    expect(await run('{ background }')).toEqual({ data: { background: 'false' } });
    expect(await run('{ background __typename }')).toEqual({ data: { background: 'true', __typename: 'Query' } });
  });

  it('runs operations above the heavy cost one at a time, in order', async () => {
    const { schema, started, release } = slowSchema();
    const run = executor(schema, { maxCost: 100, heavyCost: 0, maxHeavyWaiting: 5 });
    const first = run('first');
    const second = run('second');
    await tick();
    expect(started).toEqual(['first']);
    release();
    expect(await first).toEqual({ data: { slow: 'first' } });
    await tick();
    expect(started).toEqual(['first', 'second']);
    release();
    expect(await second).toEqual({ data: { slow: 'second' } });
  });

  it('refuses a heavy operation when too many wait, and lets cheap ones run at once', async () => {
    const { schema, started, release } = slowSchema();
    const run = executor(schema, { maxCost: 100, heavyCost: 1, maxHeavyWaiting: 0 });
    const holding = run('holding', '__typename');
    await tick();
    const refused = await run('refused', '__typename');
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'SERVER_BUSY' });
    const cheap = run('cheap');
    await tick();
    expect(started).toEqual(['holding', 'cheap']);
    release();
    release();
    await Promise.all([holding, cheap]);
  });

  it('refuses an operation over the cost limit before it runs', async () => {
    const { schema, started } = slowSchema();
    const result = await executor(schema, { maxCost: 0, heavyCost: 0, maxHeavyWaiting: 5 })('costly');
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'COST_LIMIT_EXCEEDED', maxCost: 0 });
    expect(started).toEqual([]);
  });
});
