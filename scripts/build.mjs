// Bundles the four entry points of Lockstep into dist/ with esbuild.
// Usage: node scripts/build.mjs   (exit status is non-zero when any bundle fails)
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode'],
  logLevel: 'warning',
  absWorkingDir: root,
};

const entries = [
  { in: 'src/extension/extension.ts', out: 'dist/extension.js' },
  { in: 'src/debugAdapter/main.ts', out: 'dist/debugAdapter.js' },
  { in: 'src/languageServer/main.ts', out: 'dist/languageServer.js' },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node', executable: true },
  { in: 'src/engine/explore/exploreWorker.ts', out: 'dist/exploreWorker.js' },
  // the timeline webview's script runs in the browser side of VS Code
  { in: 'src/extension/timeline/view.ts', out: 'dist/timelineView.js', options: { platform: 'browser', format: 'iife', target: 'es2020' } },
];

async function main() {
  const results = await Promise.allSettled(
    entries.map((entry) =>
      esbuild.build({
        ...common,
        entryPoints: [entry.in],
        outfile: entry.out,
        ...(entry.banner ? { banner: { js: entry.banner } } : {}),
        ...(entry.options ?? {}),
      }),
    ),
  );
  let failed = 0;
  results.forEach((result, i) => {
    const entry = entries[i];
    if (result.status === 'rejected') {
      failed++;
      // esbuild has already printed the errors with their locations.
      console.error(`build: ${entry.in} failed`);
      return;
    }
    if (entry.executable) chmodSync(join(root, entry.out), 0o755);
  });
  if (failed > 0) {
    process.exitCode = 1;
    return;
  }
  console.log(`build: ${entries.length} bundles written to dist/`);
}

main().catch((err) => {
  console.error(`build: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
