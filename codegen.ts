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
    // The console sends documents as strings (TypedDocumentString): no GraphQL parser in the bundle.
    'console/src/gql/': {
      ...clientPreset,
      presetConfig: { ...clientPreset.presetConfig },
      config: { ...clientPreset.config, documentMode: 'string' },
      documents: ['console/src/**/*.tsx', 'console/src/**/*.ts', '!console/src/gql/**'],
    },
    // A partner's client sends document hashes, not documents: the preset writes them into the
    // documents and into persisted-documents.json, the manifest an admin registers for the partner.
    'examples/partner/gql/': {
      ...clientPreset,
      presetConfig: { ...clientPreset.presetConfig, persistedDocuments: true },
      documents: ['examples/partner/**/*.ts', '!examples/partner/gql/**'],
    },
  },
};

export default config;
