import { defineConfig } from 'prisma/config';

// The datasource URL is not needed here: Provisio connects through driver adapters
// (PGlite or pg) at run time, and migrations run through the Wasm schema engine.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
