// Bundles the map UI into dist/ (embedded into the Go binary by embed.go).
//
//   node build.mjs           one minified build
//   node build.mjs --watch   rebuild on change (for UI work)
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const watch = process.argv.includes('--watch');

// Start from an empty dist/ (keeping .gitkeep) so that no stale file gets embedded.
await mkdir(dist, { recursive: true });
for (const name of await readdir(dist)) {
  if (name !== '.gitkeep') await rm(join(dist, name), { recursive: true, force: true });
}

const copyHtml = {
  name: 'copy-index-html',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length === 0) await copyFile(join(src, 'index.html'), join(dist, 'index.html'));
    });
  },
};

const options = {
  absWorkingDir: root,
  entryPoints: [join(src, 'main.js')], // main.js imports ol/ol.css and style.css -> dist/main.css
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  target: 'es2020',
  outdir: dist,
  legalComments: 'linked',
  logLevel: 'info',
  plugins: [copyHtml],
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log('watching src/ for changes (Ctrl-C to stop)');
} else {
  await esbuild.build(options);
}
