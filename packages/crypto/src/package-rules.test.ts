// Proves the package keeps the rules its README states: production files import only node:*,
// @latchkey/core and each other; throw no bare Error; use no Math.random, console or timers; and
// stay small (no file over 300 lines, no function over 60 lines).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const here = import.meta.dirname;
const productionFiles = readdirSync(here).filter((name) => name.endsWith('.ts') && !name.includes('.test.') && !name.includes('.test-support.'));

describe('package rules', () => {
  it.each(productionFiles)('%s imports only node:*, @latchkey/core and sibling files', (name) => {
    const source = readFileSync(join(here, name), 'utf8');
    const specifiers = [...source.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1] ?? '');
    for (const specifier of specifiers) {
      expect(specifier.startsWith('node:') || specifier === '@latchkey/core' || /^\.\/[a-z0-9-]+\.ts$/.test(specifier), specifier).toBe(true);
    }
  });

  it.each(productionFiles)('%s throws no bare Error and uses no Math.random, console or timers', (name) => {
    const source = readFileSync(join(here, name), 'utf8');
    expect(source).not.toMatch(/new (Type|Range)?Error\(/);
    expect(source).not.toMatch(/Math\.random|console\.|setTimeout|setInterval|Date\.now/);
  });

  it.each(productionFiles)('%s is small', (name) => {
    const lines = readFileSync(join(here, name), 'utf8').split('\n');
    expect(lines.length).toBeLessThanOrEqual(300);
    let start = -1;
    lines.forEach((line, index) => {
      if (/^(export )?(async )?function /.test(line)) start = index;
      if (line === '}' && start >= 0) {
        expect(index - start, `function at line ${start + 1}`).toBeLessThanOrEqual(60);
        start = -1;
      }
    });
  });
});
