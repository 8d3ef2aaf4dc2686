/** The adoption progress: a bar redrawn in place on a terminal, plain lines elsewhere. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../server/src/cli/progress.js';

function sink(tty: boolean) {
  let text = '';
  const stream = new Writable({ write: (c, _e, d) => ((text += String(c)), d()) }) as Writable & { isTTY?: boolean };
  stream.isTTY = tty;
  return { stream, text: () => text };
}

describe('createProgress', () => {
  it('on a terminal redraws one bar and keeps failures on screen above it', () => {
    const out = sink(true);
    const p = createProgress(out.stream, 4);
    p.step('adopted   a@x.org', 'adopted');
    p.step('FAILED  b@x.org: gone', 'failed');
    p.step('adopted   c@x.org', 'adopted');
    p.end();
    const text = out.text();
    expect(text).not.toContain('adopted   a@x.org');
    expect(text).toContain('\r\x1b[2KFAILED  b@x.org: gone\n');
    expect(text).toContain('[#######################.......] 3/4  2 adopted, 1 failed');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('elsewhere prints one line per step and no control characters', () => {
    const out = sink(false);
    const p = createProgress(out.stream, 2);
    p.step('adopted   a@x.org', 'adopted');
    p.step('adopted   b@x.org', 'adopted');
    p.end();
    expect(out.text()).toBe('adopted   a@x.org\nadopted   b@x.org\n');
  });
});
