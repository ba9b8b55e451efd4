import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from './core/config.ts';
import { createLogger } from './core/logger.ts';
import { systemClock } from './core/clock.ts';
import { createDispatch } from './app.ts';
import { type ConsoleIdentity, consoleMessage, replyText, resolveIdentity } from './platforms/console/receiver.ts';
import { DEMO_MEMBER, DEMO_ORG, seedDemo } from './platforms/console/demo.ts';
import { dialectOf, openDb } from '../db/connect.ts';
import { type Queues, createQueues } from '../jobs/queues.ts';

// The terminal entry: `npm run chat -- --as <member> [--org <org>] [--group] [--demo]`. Each line
// typed goes through the real handlers against the database named by DATABASE_URL.

const OPTIONS = {
  as: { type: 'string' },
  org: { type: 'string' },
  group: { type: 'boolean', default: false },
  demo: { type: 'boolean', default: false },
} as const;

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
  try {
    if (args.demo && (await seedDemo(db, config.TZ_DEFAULT, systemClock.now()))) {
      process.stdout.write(
        `seeded the demo org "${DEMO_ORG}" (支部 b1, 书记 sec, 党员 m1 m2) into the ${dialectOf(config.DATABASE_URL)} database\n`,
      );
    }
    let who: ConsoleIdentity;
    try {
      who = await resolveIdentity(db, {
        memberId: args.as ?? DEMO_MEMBER,
        orgId: args.org ?? (args.demo ? DEMO_ORG : undefined),
        group: args.group,
      });
    } catch (err) {
      return fail((err as Error).message);
    }

    // Meetings scheduled here get their reminders queued for a running service's workers.
    const logger = createLogger(config.LOG_LEVEL);
    queues = createQueues(config.REDIS_URL, config.QUEUE_PREFIX, logger);
    const dispatch = createDispatch({ config, db, clock: systemClock, logger, queues });
    const where = who.chatType === 'group' ? `group chat ${who.chatId}` : 'one-to-one';
    process.stdout.write(
      `同心 console: ${who.member.name} (${who.member.id}, org ${who.member.org_id}, ${where}, channel ${who.channelId}). ` +
        'Type 帮助; exit or Ctrl-D quits.\n',
    );

    const tty = process.stdin.isTTY === true;
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty, prompt: '> ' });
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
          const reply = await dispatch(consoleMessage(who, line, `console-${now}-${++n}`, now));
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
    await Promise.all([db.destroy(), queues?.close()]);
  }
}

process.exitCode = await main();
