import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

// Credentials, and the settings kept as close as they are (a card template id), that must never
// reach a log line, wherever they sit in a logged object.
const REDACT = [
  'secret',
  'appSecret',
  'token',
  'encodingAESKey',
  'webhook',
  'webhookKey',
  'cardTemplateId',
  'authorization',
  'access_token',
  '*.secret',
  '*.appSecret',
  '*.token',
  '*.encodingAESKey',
  '*.webhook',
  '*.webhookKey',
  '*.cardTemplateId',
  '*.authorization',
  '*.access_token',
];

// mysql2 errors carry the statement with its values inlined (`sql`) and the server's message, which
// may quote a value ("Duplicate entry '13800001234' for key …"); drivers may keep the bound values.
const SQL_FIELDS = ['sql', 'sqlMessage', 'parameters', 'values'];

// A quote opens or closes a literal only next to a non-word character, so that an apostrophe inside
// a word ("Can't", O'Brien) neither ends a literal early nor starts one; a literal may span lines.
const QUOTED = /(?<![\p{L}\p{N}_])(['"]).*?\1(?![\p{L}\p{N}_])/gsu;

type SerializedError = ReturnType<typeof pino.stdSerializers.err> & Record<string, unknown>;

/** Whether the error, or one in its cause chain (whose texts the serializer appends), came from SQL. */
function fromSql(err: unknown, seen = new Set<unknown>()): boolean {
  if (typeof err !== 'object' || err === null || seen.has(err)) return false;
  seen.add(err);
  return 'sql' in err || 'sqlState' in err || fromSql((err as { cause?: unknown }).cause, seen);
}

const hideLiterals = (text: string) => text.replace(QUOTED, "'?'");

const isSerialized = (value: unknown): value is SerializedError =>
  typeof value === 'object' && value !== null && typeof (value as SerializedError).message === 'string';

function scrub(out: SerializedError): SerializedError {
  for (const field of SQL_FIELDS) delete out[field];
  if (fromSql(out.raw)) {
    out.message = hideLiterals(out.message);
    if (typeof out.stack === 'string') out.stack = hideLiterals(out.stack);
  }
  // Errors held in other fields (aggregateErrors, an `original`) were serialized the same way.
  for (const value of Object.values(out)) {
    if (Array.isArray(value)) value.filter(isSerialized).forEach(scrub);
    else if (isSerialized(value)) scrub(value);
  }
  return out;
}

/** pino's error serializer without SQL statements, bound values, or the literals SQL errors quote. */
function serializeError(err: unknown): unknown {
  const out: unknown = pino.stdSerializers.err(err as Error);
  return isSerialized(out) ? scrub(out) : out;
}

/** `destination` defaults to stdout; tests pass a stream they read. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: serializeError },
    hooks: {
      // Given an error and no message, pino would take the error's raw message as the line's.
      logMethod(args, method) {
        if (args.length === 1) {
          const [first] = args as unknown[];
          const err = first instanceof Error ? first : (first as { err?: unknown } | null | undefined)?.err;
          if (err instanceof Error && fromSql(err)) return method.call(this, first as object, hideLiterals(err.message));
        }
        return method.apply(this, args);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
