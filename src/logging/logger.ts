import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths pino censors wherever they appear in a log object. Slack tokens, the
 * signing secret and AWS credentials must never reach a log line, even when an
 * SDK error or a request object is logged whole.
 */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers["x-slack-signature"]',
  'accessKeyId',
  '*.accessKeyId',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'credentials',
  '*.credentials',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];

/** Values that look like secrets are masked inside free text too (error messages, URLs). */
const SECRET_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /(redis(?:s)?:\/\/[^:@/\s]*:)[^@\s]+@/g,
];

export function maskSecrets(text: string): string {
  return SECRET_PATTERNS.reduce(
    (out, pattern) =>
      out.replace(pattern, (match, prefix?: string) =>
        typeof prefix === 'string' && match.startsWith(prefix) && prefix.includes('://')
          ? `${prefix}***@`
          : '[REDACTED]',
      ),
    text,
  );
}

const SECRET_KEY =
  /^(authorization|token|password|secret|signingsecret|secretaccesskey|sessiontoken|x-slack-signature)$/i;

/** A copy of `value` with secrets masked in every string and secret-named keys censored. */
export function maskTree(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => maskTree(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? '[REDACTED]' : maskTree(item, depth + 1);
  }
  return out;
}

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: 'deploybot',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // Masks secrets that slip into messages and error text, not only known keys.
        logMethod(args, method) {
          const masked: unknown[] = args.map((arg) => (typeof arg === 'string' ? maskSecrets(arg) : arg));
          // pino copies a lone Error's message into `msg` unmasked; give it a masked one.
          if (masked.length === 1 && masked[0] instanceof Error) masked.push(maskSecrets(masked[0].message));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
      serializers: {
        // Errors carry whatever their library put on them (an HTTP client's request
        // config with an Authorization header, say): mask every string in the tree.
        err: (err: unknown) => maskTree(pino.stdSerializers.err(err as Error)),
      },
    },
    options.destination,
  );
}

/** A child logger that carries the release id on every line. */
export function releaseLogger(logger: Logger, releaseId: string, extra: Record<string, string> = {}): Logger {
  return logger.child({ releaseId, ...extra });
}
