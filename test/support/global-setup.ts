import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** An initialised, empty PGlite data directory that each test copies instead of running initdb again. */
    pgliteTemplate: string;
  }
}

/** initdb takes seconds (more on a busy machine); do it once per test run. */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-template-'));
  const pglite = await PGlite.create(path.join(dir, 'pgdata'));
  await pglite.close();
  project.provide('pgliteTemplate', dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
