/** Modes for new files follow their directory (the owner part needs root: tests/integration/install/ownership.test.ts). */
import { describe, expect, it } from 'vitest';
import { modeForDirectory } from '../../../server/src/install/file-owner.js';

describe('modeForDirectory', () => {
  it('keeps the wanted mode where every class may enter, and drops the bits of classes that may not', () => {
    expect(modeForDirectory(0o644, 0o755)).toBe(0o644);
    expect(modeForDirectory(0o755, 0o755)).toBe(0o755);
    expect(modeForDirectory(0o644, 0o750)).toBe(0o640);
    expect(modeForDirectory(0o755, 0o2750)).toBe(0o750);
    expect(modeForDirectory(0o644, 0o700)).toBe(0o600);
    expect(modeForDirectory(0o100644, 0o40755)).toBe(0o644);
  });
});
