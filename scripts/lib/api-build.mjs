// The API server as one JavaScript file, api/build/server.mjs, which `npm start` runs with plain
// Node. Run through tsx instead, the server carried the TypeScript loader, whose hooks run on a
// worker thread with a V8 heap of its own: 213 MB resident at rest against 150 MB for the bundle.
// Packages stay outside the bundle (node_modules, as installed); the workspace's own code (api, db
// and its migrations) goes in. The bundle sits as deep under the project as api/src/config.ts, so
// the paths that file derives from its own place hold for both.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const apiBundle = join(root, 'api/build/server.mjs');
// What the bundle is made of, and how its imports resolve (the packages' manifests: exports, versions).
const sources = ['api/src', 'api/client', 'db/src', 'db/migrations', 'api/package.json', 'db/package.json', 'package.json', 'package-lock.json']
  .map((p) => join(root, p));

/** Newest modification time under a path. */
export function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds the bundle; several processes may at once (each writes its own file and renames it into place). */
export async function buildApi() {
  const { outputFiles } = await build({
    entryPoints: [join(root, 'api/src/main.ts')],
    outfile: apiBundle,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [{
      name: 'packages-outside',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@kartu/') ? undefined : { path: args.path, external: true }));
      },
    }],
  });
  mkdirSync(dirname(apiBundle), { recursive: true });
  // The map first, so that a bundle in place always has its own.
  const isMap = (file) => file.path.endsWith('.map');
  for (const file of [...outputFiles.filter(isMap), ...outputFiles.filter((file) => !isMap(file))]) {
    const partial = `${file.path}.${process.pid}.partial`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
  return apiBundle;
}

/** The bundle's path, built first when it is missing or older than the sources. */
export async function ensureApiBuilt() {
  if (existsSync(apiBundle) && statSync(apiBundle).mtimeMs >= Math.max(...sources.filter(existsSync).map(newest))) return apiBundle;
  return buildApi();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await buildApi();
  console.log(`api/build/server.mjs built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
