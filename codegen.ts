import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed clients from the committed schema.graphql, as partners generate theirs.
// Settings that fit strict ESM TypeScript run by Node's type stripping: type-only imports,
// explicit .ts import extensions, string unions instead of TS enums.
const clientPreset = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    strictScalars: true,
    scalars: {
      DateTime: 'string',
      JSON: 'unknown',
      JSONObject: 'Record<string, unknown>',
    },
    importExtension: '.ts',
  },
} as const;

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'test/gql/': { ...clientPreset, documents: ['test/**/*.ts', '!test/gql/**'] },
    'examples/partner/gql/': { ...clientPreset, documents: ['examples/partner/**/*.ts', '!examples/partner/gql/**'] },
  },
};

export default config;
