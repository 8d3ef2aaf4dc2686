/** Hunks on text: anchors, markers, line endings, and a revert that gives back every byte. */
import { describe, expect, it } from 'vitest';
import type { Hunk } from '../../../server/src/install/hunk.js';
import { parseMarker, wasMarker } from '../../../server/src/install/markers.js';
import { applyHunk, inspectHunk, joinText, revertHunk, splitText } from '../../../server/src/install/patch-file.js';

const replace: Hunk = {
  id: 'demo-replace',
  file: 'x.php',
  hookPoint: 0,
  purpose: 'demo',
  impact: 'the demo is off',
  scopes: [{ start: /^function f\(/, end: /^function /, label: 'f()' }],
  target: ['  return 1;'],
  mode: 'replace',
  lines: () => ['  return 2;'],
};
const insert: Hunk = { ...replace, id: 'demo-insert', target: ['  $a = 1;'], mode: 'insert-after', lines: () => ['  $b = 2;'] };
const SOURCE = ['<?php', 'function f() {', '  $a = 1;', '  return 1;', '}', 'function g() {', '  return 1;', '}', ''];

describe('patch-file', () => {
  for (const eol of ['\n', '\r\n']) {
    it(`applies and reverts both kinds of hunk (${JSON.stringify(eol)} line endings)`, () => {
      const original = SOURCE.join(eol);
      let text = splitText(original);
      for (const h of [replace, insert]) {
        const s = inspectHunk(text, 'php', h);
        expect(s.kind).toBe('pending');
        text = applyHunk(text, 'php', h, (s as { at: number }).at);
        expect(inspectHunk(text, 'php', h).kind).toBe('applied');
      }
      const patched = joinText(text);
      expect(patched).toBe(
        [
          '<?php',
          'function f() {',
          '  $a = 1;',
          '  // mailcow-scim:begin demo-insert',
          '  $b = 2;',
          '  // mailcow-scim:end demo-insert',
          '  // mailcow-scim:begin demo-replace',
          '  // mailcow-scim:was   return 1;',
          '  return 2;',
          '  // mailcow-scim:end demo-replace',
          '}',
          'function g() {',
          '  return 1;',
          '}',
          '',
        ].join(eol),
      );
      for (const h of [insert, replace]) {
        const s = inspectHunk(text, 'php', h) as { begin: number; end: number };
        text = revertHunk(text, 'php', h, s.begin, s.end);
      }
      expect(joinText(text)).toBe(original);
    });
  }

  it('calls an anchor outside its scope, or repeated inside it, drift', () => {
    const text = splitText(['function f() {', '  return 1;', '  return 1;', '}'].join('\n'));
    expect(inspectHunk(text, 'php', replace)).toEqual({ kind: 'drifted', reason: '`return 1;` was found 2 times in f()' });
    expect(inspectHunk(splitText('function h() {\n}\n'), 'php', replace)).toEqual({ kind: 'drifted', reason: 'f() was not found' });
  });

  it('reports a block with half its markers as damaged', () => {
    const text = splitText(['function f() {', '  // mailcow-scim:begin demo-replace', '  return 2;', '}'].join('\n'));
    expect(inspectHunk(text, 'php', replace).kind).toBe('damaged');
  });

  it('stores lines that would end the comment as base64', () => {
    const php = wasMarker('php', '', 'echo "?>";');
    expect(php).toMatch(/^\/\/ mailcow-scim:was64 /);
    expect(parseMarker('php', php)).toEqual({ kind: 'was', original: 'echo "?>";' });
    const twig = wasMarker('twig', '  ', '{# x #}');
    expect(parseMarker('twig', twig)).toEqual({ kind: 'was', original: '{# x #}' });
  });
});
