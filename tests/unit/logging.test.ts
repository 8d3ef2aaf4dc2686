import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/src/logging.js';
import { issueSecret } from '../../server/src/tokens/index.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _e, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

describe('log redaction', () => {
  it('never writes a token, hash, password or Authorization header', () => {
    const { stream, text } = capture();
    const log = createLogger({ level: 'info', destination: stream as never });
    const { secret, hash } = issueSecret();
    log.info({ token: secret, tokenHash: hash.toString('hex'), req: { headers: { authorization: `Bearer ${secret}` } } }, 'one');
    log.info({ body: { password: 'hunter2', secret } }, 'two');
    log.child({ headers: { authorization: `Bearer ${secret}` } }).info('three');
    const out = text();
    expect(out).not.toContain(secret);
    expect(out).not.toContain(hash.toString('hex'));
    expect(out).not.toContain('hunter2');
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(6);
  });
});
