// Bundles the map UI into dist/ (embedded into the Go binary by embed.go).
//
//   node build.mjs           one minified build
//   node build.mjs --watch   rebuild on change (for UI work)
//
// The bundle's file names carry a content hash (main-XXXX.js) so that the server can let
// browsers cache them for a year; index.html, which names them, is rewritten on every build.
// Each text file gets a gzip twin (file.gz) so that the server never compresses at run time.
// Source maps go to sourcemaps/ (not embedded, never served publicly) for local debugging.
import * as esbuild from 'esbuild';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = dirname(fileURLToPath(import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const maps = join(root, 'sourcemaps');
const watch = process.argv.includes('--watch');

// Start from an empty dist/ (keeping .gitkeep) so that no stale file gets embedded.
async function clean() {
  await mkdir(dist, { recursive: true });
  for (const name of await readdir(dist)) {
    if (name !== '.gitkeep') await rm(join(dist, name), { recursive: true, force: true });
  }
  await rm(maps, { recursive: true, force: true });
}

const COMPRESS = /\.(js|css|html|txt|svg|json)$/;

// Writes index.html naming the hashed bundle files, then gzips every text file.
const finish = {
  name: 'index-and-gzip',
  setup(build) {
    build.onStart(clean);
    build.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
      const named = (ext) => outputs.find((n) => n.startsWith('main-') && n.endsWith(ext));
      // The chunks main.js imports statically are asked for with it (modulepreload), not once
      // it has been parsed; the panels' chunks (dynamic imports) only when a panel is opened.
      const [, entry] = Object.entries(result.metafile.outputs).find(([p]) => basename(p) === named('.js'));
      const preloads = entry.imports.filter((i) => i.kind === 'import-statement').map((i) => `  <link rel="modulepreload" href="${basename(i.path)}">\n`).join('');
      let html = await readFile(join(src, 'index.html'), 'utf8');
      html = html.replace('href="main.css"', `href="${named('.css')}"`).replace('src="main.js"', `src="${named('.js')}"`);
      html = html.replace('</head>', `${preloads}</head>`);
      await writeFile(join(dist, 'index.html'), html);
      await mkdir(maps, { recursive: true });
      for (const name of outputs.filter((n) => n.endsWith('.map'))) await rename(join(dist, name), join(maps, name));
      for (const name of [...outputs, 'index.html']) {
        if (!COMPRESS.test(name) || name.endsWith('.map')) continue;
        const body = await readFile(join(dist, name));
        await writeFile(join(dist, `${name}.gz`), gzipSync(body, { level: 9 }));
      }
    });
  },
};

const options = {
  absWorkingDir: root,
  entryPoints: [join(src, 'main.js')], // main.js imports ol/ol.css and style.css -> dist/main-HASH.css
  bundle: true,
  format: 'esm',
  // The work modes' panels and printing are dynamic imports (main.js): chunks of their own,
  // loaded on first use, so that the first map parses none of their code.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  minify: true,
  sourcemap: 'external', // written, not linked: browsers do not ask the server for it
  target: 'es2020',
  outdir: dist,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'info',
  plugins: [finish],
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log('watching src/ for changes (Ctrl-C to stop)');
} else {
  await esbuild.build(options);
}
