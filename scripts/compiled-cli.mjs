// The `solodesk` command compiled once instead of transpiled on every run (issue 19: tsx spent
// seconds of every start and every command on it). `npm install` builds it (postinstall); a run
// whose build is missing, stale (a source newer than it) or made for another checkout or Node
// builds it again first (esbuild: well under a second), and a run that cannot, falls back to tsx.
//
// Each build goes to a folder of its own under node_modules/.cache/solodesk/cli/, and current.json
// (replaced atomically) names the latest: a process that is running keeps loading its chunks from
// its own build while another process builds a newer one. The three newest builds are kept, and
// any younger than an hour.
// Packages stay imports. `import.meta.url` and `import.meta.dirname` keep meaning the source
// file's own place (the code finds prisma/migrations, examples/kb and its caches relative to
// itself), so each module's references are replaced with its source location at build time.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const OUT = join(ROOT, 'node_modules', '.cache', 'solodesk', 'cli');
const CURRENT = join(OUT, 'current.json');
/** The command, and the KB's refit worker thread (which would otherwise start tsx of its own). */
const ENTRIES = { main: join(SRC, 'cli', 'main.ts'), 'refit-worker': join(SRC, 'kb', 'retrieval', 'refit-worker.ts') };
const KEEP_BUILDS = 3;

/** The newest modification time of the sources, in ms (a few hundred stat calls: milliseconds). */
function newestSource(dir = SRC) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|mjs|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The latest build when it was made from these sources, for this checkout and this Node. */
function currentBuild() {
  try {
    const info = JSON.parse(readFileSync(CURRENT, 'utf8'));
    if (info.root !== ROOT || info.node !== process.version || info.sourceTime < newestSource()) return undefined;
    const dir = join(OUT, info.dir);
    return existsSync(join(dir, 'main.js')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Builds into a new folder and then names it current; returns the folder. */
export async function buildCompiledCli() {
  const { build } = await import('esbuild');
  const sourceTime = newestSource();
  const name = `build-${Date.now()}-${process.pid}`;
  const dir = join(OUT, name);
  await build({
    entryPoints: ENTRIES,
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
    plugins: [sourcePlacePlugin()],
  });
  const staged = `${CURRENT}.${process.pid}`;
  writeFileSync(staged, JSON.stringify({ root: ROOT, sourceTime, node: process.version, dir: name }));
  renameSync(staged, CURRENT);
  const builds = readdirSync(OUT).filter((f) => f.startsWith('build-')).sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
  // Only builds an hour old: a process started from an older build may still load its chunks.
  for (const old of builds.slice(KEEP_BUILDS)) if (Date.now() - Number(old.split('-')[1]) > 3_600_000) rmSync(join(OUT, old), { recursive: true, force: true });
  return dir;
}

/** Rewrites import.meta.url / import.meta.dirname in each source module to where that source lives. */
function sourcePlacePlugin() {
  return {
    name: 'source-place',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta')) return undefined;
        const contents = text
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)));
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** The compiled command to import, built first when there is none for these sources; undefined to use tsx. */
export async function compiledCliEntry() {
  if (process.env.SOLODESK_TSX === '1') return undefined;
  try {
    const dir = currentBuild() ?? (await buildCompiledCli());
    return pathToFileURL(join(dir, 'main.js')).href;
  } catch {
    return undefined;
  }
}

/** The compiled module `name` (`refit-worker`) of the current build, when there is one; never builds. */
export function freshCompiledModule(name) {
  if (process.env.SOLODESK_TSX === '1') return undefined;
  const dir = currentBuild();
  return dir === undefined ? undefined : pathToFileURL(join(dir, `${name}.js`)).href;
}

/** Imports the compiled module when there is one, else the TypeScript source through tsx. */
export async function importCompiledOrSource(compiled, sourceUrl) {
  if (compiled !== undefined) return import(compiled);
  const { register } = await import('tsx/esm/api');
  register();
  return import(sourceUrl);
}

// `node scripts/compiled-cli.mjs`: build now (postinstall).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(OUT, { recursive: true });
  const dir = await buildCompiledCli();
  console.log(`solodesk: compiled the command into ${dir}`);
}
