import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layout's rules (README, "Map"), checked over the import graph so that a backward import fails
// CI instead of living on as a convention. Layers from the top: a file may import its own layer and
// any layer below it, never one above.

const ROOT = join(import.meta.dirname, '..');

const LAYERS: { name: string; test: (path: string) => boolean }[] = [
  { name: 'entry', test: (p) => ['src/main.ts', 'src/edge.ts', 'src/terminal-chat.ts'].includes(p) },
  { name: 'app', test: (p) => p === 'src/app.ts' },
  { name: 'admin', test: (p) => p.startsWith('src/admin/') },
  { name: 'jobs', test: (p) => p.startsWith('jobs/') },
  { name: 'platforms', test: (p) => p.startsWith('src/platforms/') },
  { name: 'handlers', test: (p) => p.startsWith('handlers/') },
  { name: 'chat', test: (p) => p.startsWith('src/chat/') },
  { name: 'db', test: (p) => p.startsWith('db/') },
  { name: 'render', test: (p) => p.startsWith('src/render/') },
  { name: 'domain', test: (p) => p.startsWith('src/domain/') },
  { name: 'core', test: (p) => p.startsWith('src/core/') },
];

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return filesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const SERVICE = ['src', 'handlers', 'jobs', 'db'].flatMap(filesUnder);

/** The text files under `dir`: code, docs and styles (not images). */
function textFilesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return textFilesUnder(path);
    return /\.(ts|md|css)$/.test(path) ? [path] : [];
  });
}

/**
 * Where a rule came from, cited by number instead of stated: a SPEC section, an issue, a bench run.
 * A bare #N counts only as prose writes it: after a space or an opening bracket, not after a colon
 * (a CSS value), and followed by neither more of a word nor a declaration's end — not a colour
 * (#000;, #fff), an entity (&#39;), PKCS#7 or a markdown anchor.
 */
const CITATIONS = [/SPEC\s*§/, /\bissues?\s*#?\d+/i, /\bbench run \d+/i, /(?<=^|[\s(（[])(?<!:\s*)#\d{1,3}(?![\w;}])/];
const citesSource = (line: string) => CITATIONS.some((pattern) => pattern.test(line));
const source = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const layerOf = (path: string) => LAYERS.findIndex((l) => l.test(path));

/** Every module a file imports or re-exports, statically or dynamically: [specifier, line]. */
function importsOf(text: string): [string, number][] {
  const found: [string, number][] = [];
  const pattern = /(?:^|[\s;])(?:import|export)\b[^'"]*?(?:from\s*)?\(?\s*['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(pattern)) {
    found.push([match[1]!, text.slice(0, match.index).split('\n').length]);
  }
  return found;
}

/** Lines of `files` that match `pattern`, in code only (comments left out) unless `comments`. */
function linesMatching(files: string[], pattern: RegExp, comments = false): string[] {
  const code = (line: string) => (comments ? line : line.replace(/\/\/.*$/, '').replace(/^\s*(\/\*\*|\*).*$/, ''));
  return files.flatMap((file) =>
    source(file)
      .split('\n')
      .flatMap((line, i) => (pattern.test(code(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
}

/**
 * A switch on a platform: a `platform` compared with a platform's name, or a `case` of one. What
 * differs between platforms is asked of their adapters (src/platforms/index.ts), never decided by name.
 */
const PLATFORM_NAME = `'(?:dingtalk|wecom|wecom-app|wecom-bot|demo)'`;
const PLATFORM_SWITCH = new RegExp(
  [
    `\\bplatform\\s*[!=]==?\\s*${PLATFORM_NAME}`,
    `${PLATFORM_NAME}\\s*[!=]==?\\s*[\\w.?]*\\bplatform\\b`,
    `\\bcase\\s+'(?:dingtalk|wecom-app|wecom-bot|demo)'\\s*:`,
  ].join('|'),
);

/** Where a platform may be named in a switch: the adapters, the database, the admin API's schemas. */
const mayName = (path: string) => path.startsWith('src/platforms/') || path.startsWith('db/') || path === 'src/admin/schemas.ts';

describe('layout', () => {
  it('puts every service file in a layer', () => {
    expect(SERVICE.filter((f) => layerOf(f) < 0)).toEqual([]);
    expect(SERVICE.length).toBeGreaterThan(60);
  });

  it('has imports that run one way: entry → app → admin → jobs → platforms → handlers → chat → db → render → domain → core', () => {
    const backward: string[] = [];
    let relativeImports = 0;
    for (const file of SERVICE) {
      for (const [spec, line] of importsOf(source(file))) {
        if (!spec.startsWith('.')) continue;
        relativeImports++;
        const target = relative(ROOT, normalize(join(ROOT, dirname(file), spec)));
        const from = layerOf(file);
        const to = layerOf(target);
        if (to < 0) backward.push(`${file}:${line} imports ${target}, which is in no layer`);
        else if (to < from) backward.push(`${file}:${line} (${LAYERS[from]!.name}) imports ${target} (${LAYERS[to]!.name})`);
      }
    }
    expect(backward).toEqual([]);
    // The check must see the graph: a parser that found nothing would pass vacuously.
    expect(relativeImports).toBeGreaterThan(200);
  });

  it('finds a backward import when there is one', () => {
    const text =
      "import { dispatch } from '../chat/dispatch.ts';\nexport { x } from \"./y.ts\";\nconst m = await import('../../jobs/queues.ts');";
    expect(importsOf(text).map(([spec]) => spec)).toEqual(['../chat/dispatch.ts', './y.ts', '../../jobs/queues.ts']);
    expect(layerOf('src/domain/meetings.ts')).toBeGreaterThan(layerOf('src/chat/dispatch.ts'));
  });

  it('keeps pure domain rules free of I/O', () => {
    const io = /^(node:(fs|net|http|https|child_process)|kysely|mysql2|better-sqlite3|ioredis|bullmq|hono|@hono\/|pino)/;
    const offenders = SERVICE.filter((f) => f.startsWith('src/domain/')).flatMap((file) =>
      importsOf(source(file))
        .filter(([spec]) => io.test(spec))
        .map(([spec, line]) => `${file}:${line} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('leaves drawing files and documents to src/render/: the domain imports no renderer library', () => {
    const renderers = /^(exceljs|docx|marked)(\/|$)/;
    const offenders = SERVICE.filter((f) => f.startsWith('src/domain/')).flatMap((file) =>
      importsOf(source(file))
        .filter(([spec]) => renderers.test(spec))
        .map(([spec, line]) => `${file}:${line} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
    expect(importsOf(source('src/render/ledger.ts')).some(([spec]) => renderers.test(spec))).toBe(true);
  });

  it('queries the database only in db/', () => {
    const outside = SERVICE.filter((f) => !f.startsWith('db/'));
    expect(linesMatching(outside, /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql`/)).toEqual([]);
  });

  it('reads the time only through the clock', () => {
    expect(
      linesMatching(
        SERVICE.filter((f) => f !== 'src/core/clock.ts'),
        /\bDate\.now\b|new Date\(\)/,
      ),
    ).toEqual([]);
  });

  it('has handlers that never name a platform', () => {
    expect(linesMatching(filesUnder('handlers'), /dingtalk|wecom|钉钉|企业微信/i, true)).toEqual([]);
  });

  it('switches on a platform only in src/platforms/ (and the database and the admin schemas)', () => {
    const outside = SERVICE.filter((f) => !mayName(f));
    expect(linesMatching(outside, PLATFORM_SWITCH)).toEqual([]);
  });

  it('finds a platform switch when there is one', () => {
    const switches = [
      "if (channel.config.platform === 'dingtalk') {",
      "const bot = c.platform !== 'wecom-bot';",
      "if ('demo' == channel?.platform) return;",
      "    case 'wecom-app':",
      "case 'dingtalk': return 1;",
    ];
    const others = [
      "if (format === 'dingtalk') {",
      "message.platform === 'console' ? 'id' : column",
      "case 'wecom':",
      "const platform = 'dingtalk';",
      "// platform === 'dingtalk' in a comment",
    ];
    expect(switches.filter((line) => !PLATFORM_SWITCH.test(line))).toEqual([]);
    expect(others.filter((line) => PLATFORM_SWITCH.test(line.replace(/\/\/.*$/, '')))).toEqual([]);
    expect(mayName('src/platforms/deliver.ts') && mayName('db/channels.ts') && !mayName('src/domain/targets.ts')).toBe(true);
  });

  it('names platform account columns and fields only at the edges: platforms, db/ and the admin API’s schemas', () => {
    // The rest of the code reads a member's accounts as `accounts.dingtalk`, `accounts.wecom` (db/members.ts builds them).
    const edges = (f: string) => f.startsWith('src/platforms/') || f.startsWith('db/') || f === 'src/admin/schemas.ts';
    const names = /dingtalk_user_id|wecom_user_id|dingtalkUserId|wecomUserId/;
    expect(
      linesMatching(
        SERVICE.filter((f) => !edges(f)),
        names,
        true,
      ),
    ).toEqual([]);
    expect(linesMatching(['src/admin/schemas.ts'], names, true)).not.toEqual([]);
  });

  it('has handlers that read and write as if alone: group commit stays behind the repositories', () => {
    const handlers = filesUnder('handlers');
    const batch = handlers.flatMap((file) =>
      importsOf(source(file))
        .filter(([spec]) => /db\/(inbound-batch|staging)\.ts$/.test(spec))
        .map(([spec, line]) => `${file}:${line} imports ${spec}`),
    );
    expect(batch).toEqual([]);
    expect(
      linesMatching(handlers, /\bctx\.(stage|pending|held|batchReads)\b|\b(stage|holdWrites|heldRows)\(|\b(StagedRow|HeldRows)\b/),
    ).toEqual([]);
  });

  it('names no SPEC section, issue or bench run by number: the code and the docs state the rule itself', () => {
    const files = [...['src', 'handlers', 'jobs', 'db', 'test', 'bench', 'docs'].flatMap(textFilesUnder), 'README.md'];
    const found = files.flatMap((file) =>
      source(file)
        .split('\n')
        .flatMap((line, i) => (citesSource(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
    expect(files.length).toBeGreaterThan(300);
  });

  it('tells a reference by number from colours, anchors, entities and hex', () => {
    // Made up here so that this file holds none of them whole.
    const [hash, spec] = ['#', `SPEC ${'§'}`];
    const cited = [
      `fixes ${hash}29`,
      `(see ${hash}7)`,
      `${hash}12 asks for it`,
      `as in issue ${15}`,
      `Issue ${hash}3`,
      `${spec}4.2`,
      `bench run ${3}`,
    ];
    const not = [
      'color: #222;',
      '  --ink: #222;',
      'border: 1px solid #000;',
      "const INK = '#333';",
      'body{color:#555}',
      'see [faults](#faults)',
      "'&#39;'",
      'PKCS#7 padding',
      '汇报 群众 帮助#3号楼居民',
      'a hash #1a2b3c or #fff',
      'the issues are listed',
      '### 版本',
    ];
    expect(cited.filter((line) => !citesSource(line))).toEqual([]);
    expect(not.filter(citesSource)).toEqual([]);
  });

  it('keeps at most six files directly in src/: entry points and assembly', () => {
    const top = readdirSync(join(ROOT, 'src')).filter((name) => statSync(join(ROOT, 'src', name)).isFile());
    expect(top.length).toBeLessThanOrEqual(6);
  });
});
