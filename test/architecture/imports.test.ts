import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layers of STYLE.md, checked on the sources: what each folder may import, and no cycles
// (type-only imports included: a cycle of types is still two modules that cannot be read alone).

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** file (relative to src) → what it imports: other source files (relative to src) and packages. */
function importGraph(): Map<string, { files: string[]; packages: string[] }> {
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const files: string[] = [];
    const packages: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const target = (match[1] ?? match[2])!;
      if (target.startsWith('.')) files.push(relative(SRC, resolve(dirname(file), target)));
      else packages.push(target);
    }
    graph.set(relative(SRC, file), { files, packages });
  }
  return graph;
}

const graph = importGraph();
const layerOf = (file: string): string => (file.includes('/') ? file.split('/')[0]! : file);

function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file)?.files ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

/** What a layer must not import: other layers (by folder) and platform packages. */
const FORBIDDEN: Record<string, { layers: string[]; packages: RegExp }> = {
  core: { layers: ['adapters', 'cli', 'http', 'db', 'llm', 'channels.ts', 'desk.ts', 'service.ts'], packages: /^(grammy|@grammyjs|@slack|wechaty|openai)/ },
  kb: { layers: ['core', 'adapters', 'cli', 'http', 'llm', 'channels.ts', 'desk.ts', 'service.ts'], packages: /^(grammy|@grammyjs|@slack|wechaty|openai)/ },
  config: { layers: ['core', 'kb', 'adapters', 'cli', 'http', 'db', 'llm', 'channels.ts', 'desk.ts', 'service.ts'], packages: /^(grammy|@grammyjs|@slack|wechaty|openai)/ },
  db: { layers: ['core', 'kb', 'adapters', 'cli', 'http', 'llm', 'channels.ts', 'desk.ts', 'service.ts'], packages: /^(grammy|@grammyjs|@slack|wechaty|openai)/ },
  'errors.ts': { layers: ['core', 'kb', 'adapters', 'cli', 'http', 'db', 'config', 'llm'], packages: /./ },
  adapters: { layers: ['cli', 'channels.ts', 'desk.ts', 'service.ts'], packages: /^$/ },
};

describe('source layers', () => {
  it('has no import cycles', () => {
    expect(cycles()).toEqual([]);
  });

  it.each(Object.entries(FORBIDDEN))('%s imports only what its layer may', (layer, rule) => {
    const wrong: string[] = [];
    for (const [file, imports] of graph) {
      if (layerOf(file) !== layer) continue;
      for (const target of imports.files) if (rule.layers.includes(layerOf(target))) wrong.push(`${file} → ${target}`);
      for (const name of imports.packages) if (!name.startsWith('node:') && rule.packages.test(name)) wrong.push(`${file} → ${name}`);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps each platform to its own folder: src/adapters/<platform>/ never imports another platform', () => {
    // What two platforms share belongs in core (the ports) or in a layer both may import.
    const platformOf = (file: string): string | undefined => /^adapters\/([^/]+)\//.exec(file)?.[1];
    const wrong: string[] = [];
    for (const [file, imports] of graph) {
      const own = platformOf(file);
      if (own === undefined) continue;
      for (const target of imports.files) {
        const other = platformOf(target);
        if (other !== undefined && other !== own) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('builds every adapter the same way: adapters/<platform>/index.ts implements core\'s ChannelAdapter port', () => {
    const platforms = readdirSync(join(SRC, 'adapters')).filter((name) => statSync(join(SRC, 'adapters', name)).isDirectory());
    expect(platforms.length).toBeGreaterThanOrEqual(3);
    const missing = platforms.filter((platform) => !graph.get(`adapters/${platform}/index.ts`)?.files.includes('core/channel-adapter.ts'));
    expect(missing).toEqual([]);
  });

  it('finds the imports it checks (the graph is not empty)', () => {
    expect(graph.get('core/create-core.ts')?.files).toContain('core/inbox.ts');
    expect(graph.get('channels.ts')?.files.length).toBeGreaterThan(3);
  });
});
