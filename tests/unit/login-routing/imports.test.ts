/** login-routing/ is decision logic (docs/architecture.md §9): no transport, driver or adapter. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('server/src/login-routing', () => {
  it('imports only itself and the SCIM core', () => {
    const dir = 'server/src/login-routing';
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [...readFileSync(join(dir, f), 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)]
          .map((m) => m[1]!)
          .filter((i) => !i.startsWith('./') && i !== '../scim/index.js')
          .map((i) => `${f}: ${i}`),
      );
    expect(offenders).toEqual([]);
  });
});
