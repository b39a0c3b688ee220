// Proves the error table is total and self-consistent: every code has a status and kind that agree.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_CODE_LIST, LatchkeyError, toLatchkeyError } from './errors.ts';

describe('error catalogue', () => {
  it('maps every code to a status and kind, user errors to 4xx', () => {
    for (const code of ERROR_CODE_LIST) {
      const spec = ERROR_CODES[code];
      if (spec.kind === 'user') expect(spec.status).toBeGreaterThanOrEqual(400), expect(spec.status).toBeLessThan(500);
      else expect(spec.status).toBeGreaterThanOrEqual(500);
    }
  });
  it('hides the message of unknown failures', () => {
    const err = toLatchkeyError(new Error('secret detail'));
    expect(err.code).toBe('KMSInternalException');
    expect(err.message).not.toContain('secret');
    expect(new LatchkeyError('NotFoundException', 'x').status).toBe(404);
  });
});
