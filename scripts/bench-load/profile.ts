/**
 * Where the server's time goes: reads the V8 CPU profile a `--cpu-prof` run of Solodesk wrote
 * when it stopped, and sums self time by area of the code and by function.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** The profiles read: the main thread's and each worker thread's. */
  files: string[];
  /** Sampled time that was not idle, in ms. */
  busy_ms: number;
  /** Share of busy time per area, highest first. */
  areas: Array<{ area: string; share: number }>;
  /** The functions with the most self time. */
  top: Array<{ fn: string; share: number }>;
}

/**
 * The profiles process `pid` wrote into `dir` (`CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile`:
 * one per thread), summarised together; undefined when there is none.
 */
export function summariseProfiles(dir: string, pid: number, topN = 12): ProfileSummary | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  if (files.length === 0) return undefined;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    for (const [id, micros] of self) {
      const frame = byId.get(id)?.callFrame;
      if (frame === undefined || frame.functionName === '(idle)') continue;
      busy += micros;
      const area = areaOf(frame, id, byId, parent);
      areas.set(area, (areas.get(area) ?? 0) + micros);
      const where = frame.url === '' ? '' : ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
      const fn = `${frame.functionName || '(anonymous)'}${where}`;
      functions.set(fn, (functions.get(fn) ?? 0) + micros);
    }
  }
  const share = (micros: number): number => Math.round((1000 * micros) / Math.max(1, busy)) / 1000;
  return {
    files,
    busy_ms: Math.round(busy / 1000),
    // Areas of at least 0.5 % of the busy time.
    areas: [...areas].sort((a, b) => b[1] - a[1]).map(([area, micros]) => ({ area, share: share(micros) })).filter((a) => a.share >= 0.005),
    top: [...functions].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([fn, micros]) => ({ fn, share: share(micros) })),
  };
}

function shortUrl(url: string): string {
  const at = url.lastIndexOf('/node_modules/');
  if (at !== -1) return url.slice(at + '/node_modules/'.length);
  const src = url.indexOf('/src/');
  return src !== -1 ? url.slice(src + 1) : url.replace(/^file:\/\//, '');
}

/**
 * What part of the code a sample belongs to. WebAssembly, native and Node-internal frames (a
 * socket write, the Prisma query compiler, PGlite) count for the nearest caller in our code or a
 * package, marked with what they were; with no such caller (I/O callbacks straight from the event
 * loop) they stay Node's.
 */
function areaOf(frame: ProfileNode['callFrame'], id: number, byId: Map<number, ProfileNode>, parent: Map<number, number>): string {
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  if (frame.functionName === '(program)') return 'V8 (program)';
  const kind = frame.url === '' ? 'native' : frame.url.startsWith('wasm://') ? 'wasm' : frame.url.startsWith('node:') ? 'node' : undefined;
  if (kind === undefined) return areaOfUrl(frame.url);
  for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
    const url = byId.get(at)?.callFrame.url ?? '';
    if (url !== '' && !url.startsWith('wasm://') && !url.startsWith('node:')) return `${areaOfUrl(url)} (${kind})`;
  }
  return kind === 'node' ? 'node internals (event loop, sockets)' : `node internals (${kind})`;
}

function areaOfUrl(url: string): string {
  const modules = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules !== null) {
    const pkg = modules[1]!;
    if (pkg.startsWith('@prisma/') || pkg === '.prisma' || pkg === 'prisma') return 'prisma';
    if (pkg === 'pg' || pkg.startsWith('pg-') || pkg === 'postgres-array') return 'pg driver';
    if (pkg === '@electric-sql/pglite' || pkg === 'pglite-prisma-adapter') return 'pglite';
    if (pkg.startsWith('@slack/') || pkg === 'grammy' || pkg.startsWith('@grammyjs/')) return 'platform SDKs';
    if (pkg === 'express' || pkg === 'router' || pkg === 'body-parser' || pkg === 'raw-body') return 'http framework';
    if (pkg === 'pino' || pkg.startsWith('pino-') || pkg === 'sonic-boom') return 'logging';
    if (pkg === 'zod') return 'validation (zod)';
    return `node_modules/${pkg}`;
  }
  const src = /\/src\/([^/]+)\//.exec(url);
  return src !== null ? `src/${src[1]}` : 'other';
}
