/**
 * The root pino logger. Secrets are removed by declared paths, not by care at each call
 * site: every token, hash, password and Authorization header is censored wherever it is.
 */
import { pino, stdSerializers, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/** Paths censored in every log line. */
const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'tokenHash',
  '*.tokenHash',
  'token_hash',
  '*.token_hash',
  'client_secret',
  '*.client_secret',
  'bindpass',
  '*.bindpass',
];

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go (tests pass a capturing stream). */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'mailcow-scim' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: stdSerializers.err },
      timestamp: stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
