/** What a CLI command needs from the outside world, built from the same Config as the server. */
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logging.js';
import { createPool } from '../mailcow/pool.js';
import { createTokenStore } from '../mailcow/token-store.js';
import { nowIso } from '../mailcow/db-time.js';
import { TokenService } from '../tokens/index.js';
import { validateUserRuleFilter } from '../users/index.js';
import type { DatabasePool as Pool } from '../mailcow/queryable.js';
import type { CliIo } from './io.js';
import { AdoptionService } from '../adoption/index.js';
import { createAdoptionStore } from '../mailcow/adopt.js';
import { createLoginFactsSource } from '../mailcow/login-facts.js';

export interface CliContext {
  config: Config;
  logger: Logger;
  pool: Pool;
  tokens: TokenService;
  adoption: AdoptionService;
  close(): Promise<void>;
}

export function openContext(io: CliIo, overrides: Partial<Config> = {}): CliContext {
  const config = loadConfig(io.env, overrides);
  // CLI output is for people: logs go to stderr, quietly.
  const logger = createLogger({ level: io.env.LOG_LEVEL ? config.logLevel : 'warn', destination: io.stderr as never });
  const pool = createPool(config.mariadbUrl, { connectionLimit: 2 });
  const tokens = new TokenService({ store: createTokenStore(pool), now: nowIso, validateRuleFilter: validateUserRuleFilter });
  const adoption = new AdoptionService({ store: createAdoptionStore(pool), identityProvider: createLoginFactsSource(pool).identityProvider });
  return { config, logger, pool, tokens, adoption, close: () => pool.end() };
}
