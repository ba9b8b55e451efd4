import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from './core/config.ts';
import type { Redis } from 'ioredis';
import { createLogger } from './core/logger.ts';
import { createRedis } from './core/redis.ts';
import { within } from './core/deadline.ts';
import { systemClock } from './core/clock.ts';
import { createDispatch } from './app.ts';
import { type TerminalIdentity, replyText, resolveIdentity, terminalMessage } from './platforms/terminal/receiver.ts';
import { DEMO_MEMBER, DEMO_ORG, seedDemo } from './platforms/terminal/demo.ts';
import type { DemoTerminal } from './platforms/demo/terminal.ts';
import { dialectOf, openDb } from '../db/connect.ts';
import { type Queues, createQueues } from '../jobs/queues.ts';
import { startWorkers } from '../jobs/workers.ts';

// The terminal entry: `npm run chat -- --as <member> [--org <org>] [--group] [--demo]`. Each line
// typed goes through the real handlers against the database named by DATABASE_URL.

const OPTIONS = {
  as: { type: 'string' },
  org: { type: 'string' },
  group: { type: 'boolean', default: false },
  demo: { type: 'boolean', default: false },
} as const;

/** Where the demo writes the files it would send. */
const DEMO_FILES = join(tmpdir(), 'tongxin-demo');

const DEMO_LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'silent']);

/** How long the demo waits for Redis to answer before it says that it does not. */
const REDIS_WAIT_MS = 3_000;

const USAGE = 'usage: npm run chat -- --as <member> [--org <org>] [--group] | --demo';

async function main(): Promise<number> {
  const fail = (line: string) => {
    process.stderr.write(`tongxin chat: ${line}\n`);
    return 1;
  };
  let args: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    args = parseArgs({ options: OPTIONS }).values;
  } catch (err) {
    return fail(`${(err as Error).message}; ${USAGE}`);
  }
  if (!args.as && !args.demo) {
    return fail(
      '--as <member> is missing: name a member id (add members with the admin API, ' +
        'PUT /admin/orgs/:org/members/:member), or run with --demo',
    );
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return fail(`bad configuration: ${err.message}`);
  }
  let db: Awaited<ReturnType<typeof openDb>>;
  try {
    db = await openDb(config.DATABASE_URL);
  } catch (err) {
    return fail(`cannot open the ${dialectOf(config.DATABASE_URL)} database named by DATABASE_URL: ${(err as Error).message}`);
  }

  let queues: Queues | undefined;
  let redis: Redis | undefined;
  let workers: { close(): Promise<void> } | undefined;
  try {
    if (args.demo) {
      const seed = await seedDemo(db, config.TZ_DEFAULT, systemClock.now());
      if (seed.kind === 'taken') {
        return fail(
          `--demo runs on a database of its own, and DATABASE_URL names one that holds org ${seed.orgs.join(', ')}: ` +
            'give the demo a fresh file, e.g. DATABASE_URL=sqlite:data/demo.db npm run chat -- --demo; ' +
            'to speak as one of your own members, use --as <member>',
        );
      }
      if (seed.kind === 'seeded') {
        process.stdout.write(
          `seeded the demo org "${DEMO_ORG}" (支部 b1, 书记 sec, 党员 m1 m2) into the ${dialectOf(config.DATABASE_URL)} database\n`,
        );
      }
      // Queues of its own database's: a job names only a row, and the workers of a service, or of
      // another demo, on the same Redis would take the job and not find the row in their database.
      const own = createHash('sha256').update(config.DATABASE_URL).digest('hex').slice(0, 8);
      config = { ...config, QUEUE_PREFIX: `${config.QUEUE_PREFIX}-demo-${own}` };
    }
    let who: TerminalIdentity;
    try {
      who = await resolveIdentity(db, {
        memberId: args.as ?? DEMO_MEMBER,
        orgId: args.org ?? (args.demo ? DEMO_ORG : undefined),
        group: args.group,
      });
    } catch (err) {
      return fail((err as Error).message);
    }

    // Without --demo, meetings scheduled here get their reminders queued for a running service's
    // workers; the demo runs its own, which show what they send here. Its log goes to stderr and
    // holds warnings only: the terminal is the chat's.
    const logger = args.demo
      ? createLogger(DEMO_LOG_LEVELS.has(config.LOG_LEVEL) ? config.LOG_LEVEL : 'warn', process.stderr)
      : createLogger(config.LOG_LEVEL);
    if (args.demo) {
      redis = createRedis(config.REDIS_URL, logger);
      // The workers would wait for Redis without a word; the demo says so and stops instead.
      const answers = await within(redis.ping(), REDIS_WAIT_MS, 'Redis').then(
        () => true,
        () => false,
      );
      if (!answers) {
        return fail(
          'the demo sends its reminders and files through Redis, and the one REDIS_URL names does not answer: ' +
            'start one (redis-server --daemonize yes) or set REDIS_URL',
        );
      }
    }
    queues = createQueues(config.REDIS_URL, config.QUEUE_PREFIX, logger);
    const dispatch = createDispatch({ config, db, clock: systemClock, logger, queues });
    const where = who.chatType === 'group' ? `group chat ${who.chatId}` : 'one-to-one';
    process.stdout.write(
      `同心 console: ${who.member.name} (${who.member.id}, org ${who.member.org_id}, ${where}, channel ${who.channelId}). ` +
        'Type 帮助; exit or Ctrl-D quits.\n',
    );
    const tty = process.stdin.isTTY === true;
    // A push shown while the prompt waits draws the prompt again; the lines typed meanwhile are read once the workers run.
    let prompt = () => {};
    if (redis) {
      process.stdout.write(
        `What groups and members would receive (reminders, notices, files) is shown here when it is sent; files are written to ${DEMO_FILES}.\n`,
      );
      const terminal: DemoTerminal = {
        write(text) {
          process.stdout.write(text);
          prompt();
        },
        fileDir: DEMO_FILES,
      };
      workers = await startWorkers({ config, db, redis, logger, clock: systemClock, queues, terminal });
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty, prompt: '> ' });
    if (tty) prompt = () => rl.prompt(true);
    rl.on('SIGINT', () => rl.close());
    if (tty) rl.prompt();
    let n = 0;
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === 'exit' || line === 'quit') break;
      if (line) {
        if (!tty) process.stdout.write(`> ${line}\n`);
        const now = systemClock.now();
        try {
          const reply = await dispatch(terminalMessage(who, line, `console-${now}-${++n}`, now));
          process.stdout.write(`${replyText(reply)}\n\n`);
        } catch (err) {
          process.stderr.write(`error: ${(err as Error).message}\n`);
        }
      }
      if (tty) rl.prompt();
    }
    rl.close();
    return 0;
  } finally {
    // Workers first: a push in flight still needs the database and Redis.
    await workers?.close();
    redis?.disconnect();
    await Promise.all([db.destroy(), queues?.close()]);
  }
}

process.exitCode = await main();
