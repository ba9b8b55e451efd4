import { pino, type Logger } from 'pino';

// Credentials that must never reach a log line, wherever they sit in a logged object.
const REDACT = [
  'secret',
  'appSecret',
  'token',
  'encodingAESKey',
  'webhook',
  'webhookKey',
  'authorization',
  'access_token',
  '*.secret',
  '*.appSecret',
  '*.token',
  '*.encodingAESKey',
  '*.webhook',
  '*.webhookKey',
  '*.authorization',
  '*.access_token',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } });
}
