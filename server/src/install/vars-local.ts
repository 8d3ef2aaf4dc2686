/**
 * The block in data/web/inc/vars.local.inc.php that loads the PHP bridge. mailcow includes that
 * file (gitignored) from prerequisites.inc.php, mailcowauth.php and the sync crons, before its own
 * function files (docs/mailcow-facts.md §5.5). An admin's existing file is kept: our block is
 * appended (before a closing `?>`), and uninstall removes only the block.
 */
import { BRIDGE_ENTRY_IN_CONTAINER } from './layout.js';

const BEGIN = '// mailcow-scim:begin bridge';
const END = '// mailcow-scim:end bridge';

/** Our block, without a trailing newline. `file_exists` keeps mailcow working without the bridge. */
function varsLocalBlock(): string {
  return [
    BEGIN,
    '// Loads the mailcow-scim PHP bridge (managed by `mailcow-scim install`; --uninstall removes it).',
    `if (file_exists('${BRIDGE_ENTRY_IN_CONTAINER}')) {`,
    `  require_once '${BRIDGE_ENTRY_IN_CONTAINER}';`,
    '}',
    END,
  ].join('\n');
}

/** A vars.local.inc.php we create holds only this header and our block. */
const NEW_FILE_HEADER = '<?php\n';

interface BlockPosition {
  start: number;
  /** Index just past the block's END line (including its newline). */
  end: number;
}

function findBlock(text: string): BlockPosition | 'damaged' | undefined {
  const start = text.indexOf(BEGIN);
  const endAt = text.indexOf(END);
  if (start < 0 && endAt < 0) return undefined;
  if (start < 0 || endAt < start || text.indexOf(BEGIN, start + 1) >= 0) return 'damaged';
  let end = endAt + END.length;
  if (text.slice(end, end + 2) === '\r\n') end += 2;
  else if (text[end] === '\n') end += 1;
  return { start, end };
}

export function inspectVarsLocal(text: string | undefined): 'installed' | 'missing' | 'outdated' | 'damaged' {
  if (text === undefined) return 'missing';
  const block = findBlock(text);
  if (block === undefined) return 'missing';
  if (block === 'damaged') return 'damaged';
  return text.slice(block.start, block.end).replace(/\r?\n$/, '') === varsLocalBlock() ? 'installed' : 'outdated';
}

/** The file with our block added or refreshed. */
export function withVarsLocalBlock(text: string | undefined): string {
  const block = `${varsLocalBlock()}\n`;
  if (text === undefined || text.trim() === '') return `${NEW_FILE_HEADER}${block}`;
  const existing = findBlock(text);
  if (existing === 'damaged') throw new Error('vars.local.inc.php has an incomplete mailcow-scim block; remove its remains by hand');
  if (existing) return text.slice(0, existing.start) + block + text.slice(existing.end);
  // A file that ends PHP mode with `?>` gets the block before it, or PHP would print it.
  const close = /\?>\s*$/.exec(text);
  if (close) {
    const head = text.slice(0, close.index);
    return `${head}${head.endsWith('\n') ? '' : '\n'}${block}${text.slice(close.index)}`;
  }
  return `${text}${text.endsWith('\n') ? '' : '\n'}${block}`;
}

/** The file without our block (the caller deletes it when we created it and nothing else is left). */
export function withoutVarsLocalBlock(text: string): { text: string; onlyHeaderLeft: boolean } {
  const block = findBlock(text);
  const rest = block === undefined || block === 'damaged' ? text : text.slice(0, block.start) + text.slice(block.end);
  return { text: rest, onlyHeaderLeft: rest.trim() === '<?php' || rest.trim() === '' };
}
