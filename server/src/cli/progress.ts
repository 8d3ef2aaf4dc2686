/**
 * Progress of a long command: on a terminal one bar redrawn in place (failures printed above it,
 * so they stay on screen); anywhere else (a pipe, a log, a test) one plain line per step.
 */
import type { Writable } from 'node:stream';

export interface Progress {
  /** One step done; `line` describes it (printed as is off a terminal, and for failures on one). */
  step(line: string, outcome: string): void;
  end(): void;
}

const BAR_WIDTH = 30;

export function createProgress(out: Writable, total: number): Progress {
  const tty = (out as { isTTY?: boolean }).isTTY === true;
  let done = 0;
  const counts = new Map<string, number>();
  const draw = () => {
    const filled = total ? Math.round((done / total) * BAR_WIDTH) : BAR_WIDTH;
    const tally = [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
    out.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total}${tally ? `  ${tally}` : ''}`);
  };
  if (tty) draw();
  return {
    step(line, outcome) {
      done++;
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      if (!tty) {
        out.write(`${line}\n`);
        return;
      }
      if (outcome === 'failed') out.write(`\r\x1b[2K${line}\n`);
      draw();
    },
    end() {
      if (tty) out.write('\n');
    },
  };
}
