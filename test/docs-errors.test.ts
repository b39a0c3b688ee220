// Proves docs/errors.md and the error catalogue agree: every code documented with its status and
// kind, and no documented code that the catalogue lacks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@latchkey/core';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const rows = [...doc.matchAll(/^\| `([A-Za-z]+)` \| (\d{3}) \| (\w+) \|/gm)].map((m) => ({ code: m[1], status: Number(m[2]), kind: m[3] }));

describe('docs/errors.md', () => {
  it('lists exactly the catalogue, with the same status and kind', () => {
    const documented = Object.fromEntries(rows.map((r) => [r.code, { status: r.status, kind: r.kind }]));
    const catalogue = Object.fromEntries(Object.entries(ERROR_CODES).map(([code, spec]) => [code, { status: spec.status, kind: spec.kind }]));
    expect(documented).toEqual(catalogue);
  });
});
