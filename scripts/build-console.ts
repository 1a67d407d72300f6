// Builds the operator console (console/) into dist/console/, which the API serves at /console.
// esbuild bundles the TypeScript and Preact in ~100 ms, so `npm start` (through setup) and the
// tests build it every time; the output is not committed.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
export const consoleOutDir = path.join(root, 'dist/console');

export async function buildConsole(options: { quiet?: boolean } = {}): Promise<{ bytes: number; ms: number }> {
  const started = performance.now();
  fs.rmSync(consoleOutDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [path.join(root, 'console/src/main.tsx')],
    outfile: path.join(consoleOutDir, 'console.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(root, 'console/index.html'), path.join(consoleOutDir, 'index.html'));
  fs.copyFileSync(path.join(root, 'console/console.css'), path.join(consoleOutDir, 'console.css'));
  const bytes = result.metafile.outputs[path.relative(process.cwd(), path.join(consoleOutDir, 'console.js'))]?.bytes ?? fs.statSync(path.join(consoleOutDir, 'console.js')).size;
  const ms = Math.round(performance.now() - started);
  if (!options.quiet) console.log(`console: built dist/console (${Math.round(bytes / 1024)} KiB of JavaScript) in ${ms} ms`);
  return { bytes, ms };
}

if (import.meta.main) await buildConsole();
