import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createComplexityRule } from '@pothos/plugin-complexity';
import { GraphQLError, validate, type DocumentNode, type ExecutionArgs, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import { DomainError } from '../domain/errors.ts';
import { runAsBackground } from '../domain/background-work.ts';

/**
 * Limits on what one operation may ask for, for every role and transport. Each is far above what
 * the documented queries, the typed clients and a console page need (see the README) and far
 * below what stalls the server (deep nesting and mass aliases did: figures in bench/README.md, limits).
 */
export const OPERATION_LIMITS = {
  /** Selection depth; the deepest documented query (a run with its service, product and events' nodes) is 6. */
  maxDepth: 12,
  /** Aliases per operation: room for a dashboard that asks for a few pools or runs side by side. */
  maxAliases: 20,
  /** Lexical tokens per document: GraphiQL's introspection query is ~330; bulk data goes in variables. */
  maxTokens: 5_000,
  /**
   * Characters per document (its source text), checked before it is parsed or cached: the token
   * limit stops the lexer, but not a document that is one long string or comment, and a refused
   * document was still kept whole as a cache key. Introspection is ~2,000 characters.
   */
  maxDocumentLength: 64 * 1024,
  /** Directives per operation (@include/@skip on a console page). */
  maxDirectives: 20,
  /**
   * Cost: 1 per field, what is under a connection counted once per node of its page (first/last,
   * at most 100), under a plain list 10 times. A console page of 50 runs with their product,
   * service and counters costs ~1,100; a run with its first 100 events ~1,000. At the limit, an
   * operation reads ~1,000 rows (its time on the server's one thread: bench/README.md, limits).
   */
  maxCost: 10_000,
  /**
   * Operations costing more than this run one at a time, so that many heavy ones never hold up
   * the small ones (a query's work shares the event loop with every other request).
   */
  heavyCost: 2_000,
  /** Heavy operations waiting their turn beyond this are refused (SERVER_BUSY) rather than queued. */
  maxHeavyWaiting: 32,
} as const;

/** A document longer than maxDocumentLength is refused before the parser, and so before the parse cache, sees it. */
export function useDocumentLengthLimit(maxLength: number = OPERATION_LIMITS.maxDocumentLength): Plugin {
  return {
    onParse({ params }) {
      const { length } = typeof params.source === 'string' ? params.source : params.source.body;
      if (length <= maxLength) return;
      // As a parse error: 400 for GraphQL-over-HTTP clients, the error event for SSE (`spec`).
      throw new GraphQLError(`Document of ${length} characters is over the limit of ${maxLength}; pass large values as variables.`, {
        extensions: { code: 'DOCUMENT_TOO_LARGE', maxLength, http: { spec: true, status: 400 } },
      });
    },
  };
}

/**
 * Characters of document source that Yoga's parse cache may keep, over all its entries. Its
 * default keeps 1,024 entries whatever their size, for an hour, and a parsed document weighs many
 * times its source (tokens and locations): documents that differ on every request (each parsed,
 * then refused by a limit) would pin that many near-limit trees (bench/README.md, limits).
 */
const PARSE_CACHE_CHARACTERS = 256 * 1024;

/** Yoga's parse caches (documents and parse errors), bounded by the size of what they keep as well as by count. */
export function boundedParseCache(maxCharacters: number = PARSE_CACHE_CHARACTERS) {
  const cache = <T extends object>() =>
    new LRUCache<string, T>({ max: 1_024, ttl: 3_600_000, maxSize: maxCharacters, sizeCalculation: (_value, source) => Math.max(1, source.length) });
  return { documentCache: cache<DocumentNode>(), errorCache: cache<Error>() };
}

/** A limit's refusal: thrown by the armor rules below, and kept per document (see useArmor). */
class LimitRefusal extends GraphQLError {
  constructor(message: string, code: string) {
    // 400 for GraphQL-over-HTTP clients, the error event over SSE (`spec`), as a validation error.
    super(message, { extensions: { code, http: { spec: true, status: 400 } } });
  }
}

/** Depth, aliases, tokens and directives, refused at parse and validation (before any resolver). */
export function useArmor(): Plugin {
  // A limit is an error with a code instead of armor's "Syntax Error". It is thrown rather than
  // reported: armor checks at the operation's start, and throwing ends validation there, before
  // the other rules walk (and compare) every field of a document that is refused anyway.
  const asValidationError = (code: string) => ({
    propagateOnRejection: false,
    onReject: [
      (_context: ValidationContext | null, error: GraphQLError) => {
        throw new LimitRefusal(error.message.replace(/^Syntax Error: /, ''), code);
      },
    ],
  });
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: OPERATION_LIMITS.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...asValidationError('DEPTH_LIMIT_EXCEEDED') },
    maxAliases: { n: OPERATION_LIMITS.maxAliases, ...asValidationError('ALIAS_LIMIT_EXCEEDED') },
    maxTokens: { n: OPERATION_LIMITS.maxTokens },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives, ...asValidationError('DIRECTIVE_LIMIT_EXCEEDED') },
    // The cost is measured below, with page sizes; armor's estimate ignores them.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  }) as Plugin;
  // A thrown refusal escapes Yoga's validation cache, which keeps results only: keep it here, by
  // document (the parse cache hands out the same one for the same source), so a document sent
  // again is refused without being validated again.
  const refusals = new WeakMap<DocumentNode, LimitRefusal>();
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(armor);
    },
    onValidate({ params, validateFn, setValidationFn }) {
      const known = refusals.get(params.documentAST);
      if (known) throw new LimitRefusal(known.message, String(known.extensions['code']));
      setValidationFn((schema, document, ...rest) => {
        try {
          return validateFn(schema, document, ...rest);
        } catch (error) {
          if (error instanceof LimitRefusal) refusals.set(document, error);
          throw error;
        }
      });
    },
  };
}

/**
 * The operation's cost, from its selection and variables (page sizes), checked before it executes
 * or subscribes. It needs the variables, so it runs at execution rather than in the cached
 * validation step. Heavy queries and mutations then wait for their turn (one at a time).
 */
export function useCostLimit(limits: { maxCost: number; heavyCost: number; maxHeavyWaiting: number } = OPERATION_LIMITS): Plugin {
  const { maxCost, heavyCost, maxHeavyWaiting } = limits;
  const heavyTurn = pLimit(1);
  const measure = (args: ExecutionArgs): { cost: number; errors: GraphQLError[] } => {
    let cost = 0;
    try {
      const errors = validate(args.schema, args.document, [
        createComplexityRule({
          context: args.contextValue as object,
          variableValues: (args.variableValues ?? {}) as Record<string, unknown>,
          operationName: args.operationName ?? undefined,
          maxComplexity: maxCost,
          onResult: (result) => (cost = Math.max(cost, result.complexity)),
        }),
      ])
        // The rule also coerces the variables; bad ones are left to execution, which refuses them
        // (as a request error) before any resolver runs.
        .filter((error) => /complexity/i.test(error.message))
        .map((error) => new GraphQLError(error.message, { extensions: { code: 'COST_LIMIT_EXCEEDED', maxCost } }));
      return { cost, errors };
    } catch (error) {
      // Measuring reads the arguments (page sizes); one that cannot be read (a garbled id) is the
      // caller's error. An operation that cannot be measured does not run.
      if (error instanceof DomainError) return { cost, errors: [new GraphQLError(error.message, { extensions: { code: error.name } })] };
      throw error;
    }
  };
  return {
    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const { cost, errors } = measure(args);
      if (errors.length) return setResultAndStopExecution({ errors });
      if (cost <= heavyCost) return;
      // One runs, up to maxHeavyWaiting wait; past that the caller is told to come back.
      if (heavyTurn.activeCount + heavyTurn.pendingCount > maxHeavyWaiting) {
        return setResultAndStopExecution({
          errors: [new GraphQLError(`the server is busy with expensive operations (cost above ${heavyCost}); retry shortly, or ask for smaller pages`, { extensions: { code: 'SERVER_BUSY' } })],
        });
      }
      // Its database queries also yield to everybody else's (background work).
      setExecuteFn((executeArgs) => heavyTurn(async () => runAsBackground(() => executeFn(executeArgs))));
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      // A subscription resolves its selection once per event, so it is measured but not queued.
      const { errors } = measure(args);
      if (errors.length) setResultAndStopExecution({ errors });
    },
  };
}
