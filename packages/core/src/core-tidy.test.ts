// Proves core stays pure and small: no file under packages/core/src (tests aside) imports a node
// builtin or any package, reads the clock or randomness directly, uses timers, console or bare
// Errors, leaves FIXME/XXX behind, has a function over 60 lines or a file over 400 lines.
// The checker is a heuristic, so it is itself tested on samples that break each rule.
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));
const FUNCTION_LINES_MAX = 60;
const FILE_LINES_MAX = 400;

/** Calls that bring in time, randomness, I/O or side effects that must come through ports instead. */
const BANNED: readonly [RegExp, string][] = [
  [/\bDate\.now\b/, 'Date.now (take nowMs or a Clock)'],
  [/\bnew Date\(\s*\)/, 'new Date() (take nowMs or a Clock)'],
  [/\bperformance\.now\b/, 'performance.now (take a Clock)'],
  [/\bMath\.random\b/, 'Math.random (randomness enters through a port)'],
  [/\bcrypto\./, 'crypto (randomness and cryptography live outside core)'],
  [/\bset(Timeout|Interval|Immediate)\b/, 'timers (core does not schedule)'],
  [/\bconsole\./, 'console (core does not log)'],
  [/\bprocess\./, 'process (env and exit belong to entry points)'],
  [/\bnew Error\(/, 'bare new Error (throw a LatchkeyError with a code)'],
];

const isBuiltin = (specifier: string): boolean =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);

function importProblems(text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom|\bimport|\bimport\(|\brequire\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers.flatMap((s) => {
    if (isBuiltin(s)) return [`imports node builtin ${s}`];
    if (!s.startsWith('./')) return [`imports ${s}: core imports only its own files`];
    if (!s.endsWith('.ts')) return [`imports ${s} without the .ts extension`];
    return [];
  });
}

/** Blanks block comments (keeping line breaks, so line numbers hold) and line comments. */
function stripComments(text: string): string {
  const noBlocks = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  return noBlocks.split('\n').map((line) => line.replace(/(^|[^:\\])\/\/.*$/, '$1')).join('\n');
}

const stripStrings = (line: string): string => line.replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g, '""');
const braceDelta = (line: string): number => (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
const FUNCTION_START = /\bfunction\b[^(]*\(|=>\s*\{\s*$|^\s*(?:async\s+)?[A-Za-z_$][\w$]*\s*\([^)]*\)\s*(?::[^{]*)?\{\s*$/;

/** Line count of each function, by brace matching from the line that starts it; lenient on exotic layouts. */
function longFunctions(code: string): string[] {
  const lines = code.split('\n').map(stripStrings);
  const problems: string[] = [];
  lines.forEach((line, start) => {
    if (!FUNCTION_START.test(line)) return;
    let depth = 0;
    let opened = false;
    for (let end = start; end < lines.length; end++) {
      depth += braceDelta(lines[end]!);
      opened ||= lines[end]!.includes('{');
      if (opened && depth <= 0) {
        const length = end - start + 1;
        if (length > FUNCTION_LINES_MAX) problems.push(`function at line ${start + 1} is ${length} lines (max ${FUNCTION_LINES_MAX})`);
        return;
      }
    }
  });
  return problems;
}

function tidyProblems(text: string): string[] {
  const code = stripComments(text);
  const lineCount = text.split('\n').length;
  return [
    ...importProblems(text),
    ...BANNED.filter(([pattern]) => pattern.test(code)).map(([, what]) => `uses ${what}`),
    ...(/\b(FIXME|XXX)\b/.test(text) ? ['leaves a FIXME or XXX marker'] : []),
    ...(lineCount > FILE_LINES_MAX ? [`is ${lineCount} lines (max ${FILE_LINES_MAX})`] : []),
    ...longFunctions(code),
  ];
}

const isTestFile = (name: string): boolean => /\.test(-support)?\.ts$/.test(name);
const sourceFiles = readdirSync(SRC).filter((name) => name.endsWith('.ts') && !isTestFile(name)).sort();

describe('core tidiness', () => {
  it('finds the core sources', () => {
    expect(sourceFiles).toContain('key-machine.ts');
    expect(sourceFiles.length).toBeGreaterThanOrEqual(10);
  });

  it.each(sourceFiles)('%s is tidy', (name) => {
    expect(tidyProblems(readFileSync(join(SRC, name), 'utf8'))).toEqual([]);
  });
});

describe('the tidy checker itself', () => {
  const body = (n: number): string => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');

  it.each([
    ["import { readFile } from 'node:fs';", /node builtin node:fs/],
    ["import path from 'path';", /node builtin path/],
    ["const m = await import('node:crypto');", /node builtin/],
    ["import { x } from '@latchkey/crypto';", /only its own files/],
    ["import { x } from './errors';", /without the .ts extension/],
    ['const t = Date.now();', /Date\.now/],
    ['const r = Math.random();', /Math\.random/],
    ['setTimeout(() => 1, 5);', /timers/],
    ['console.log(1);', /console/],
    ["throw new Error('x');", /bare new Error/],
    ['// FIXME: later', /FIXME/],
    [`function long() {\n${body(60)}\n}`, /is 62 lines/],
    [`const long = (a: number) => {\n${body(60)}\n};`, /is 62 lines/],
    [Array.from({ length: 401 }, () => '').join('\n'), /is 401 lines/],
  ])('flags %#', (sample, message) => {
    expect(tidyProblems(sample).join('; ')).toMatch(message);
  });

  it('does not flag comments, strings or a 60-line function', () => {
    const sample = `/** Not Date.now: a comment. */\n// console.log\nconst s = '{';\nfunction ok() {\n${body(58)}\n}`;
    expect(tidyProblems(sample)).toEqual([]);
  });
});
