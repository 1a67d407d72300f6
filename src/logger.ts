import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout (one object per line); secrets are redacted by path as a second line of defence. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'provisio' },
    redact: {
      paths: ['secretAttributes', '*.secretAttributes', 'secretVariables', '*.secretVariables', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
