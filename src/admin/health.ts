import { Hono } from 'hono';
import { pingDb } from '../../db/connect.ts';
import { recentFailures } from '../../db/deliveries.ts';
import { droppedReminders } from '../../db/reminders.ts';
import { within } from '../core/deadline.ts';
import { pingRedis } from '../core/redis.ts';
import type { Target } from '../domain/outbound.ts';
import { QuotaCounter } from '../platforms/shared/quota.ts';
import { listOrgsPage } from '../../db/orgs.ts';
import type { ServiceDeps } from './deps.ts';
import { DAY_MS } from '../core/duration.ts';

const WEEK_MS = 7 * DAY_MS;
const LIST_MAX = 100;
const ORGS_MAX = 1_000;

/** db and redis, each 'ok' or 'down', within a second whatever state they are in. */
export async function probe(deps: Pick<ServiceDeps, 'db' | 'redis'>): Promise<{ db: 'ok' | 'down'; redis: 'ok' | 'down' }> {
  const [db, redis] = await Promise.all([
    within(pingDb(deps.db), 900, 'the database ping').then(
      () => 'ok' as const,
      () => 'down' as const,
    ),
    pingRedis(deps.redis).then((up) => (up ? ('ok' as const) : ('down' as const))),
  ]);
  return { db, redis };
}

/**
 * GET /admin/health (token): the probe, and what went wrong in the past 7 days: deliveries that
 * failed for good (a chat without a robot of its own, a bad key, a refused IP) and reminders
 * dropped because no worker could send them while they were useful; and this month's platform
 * calls per org (`quota`), read from Redis (absent while Redis is down).
 */
export function healthRoutes(deps: Pick<ServiceDeps, 'db' | 'redis' | 'clock' | 'config' | 'logger'>): Hono {
  const app = new Hono();
  const counter = new QuotaCounter({ ...deps, prefix: deps.config.QUEUE_PREFIX });
  /** This month's platform calls of every org: a DingTalk count with its budget. */
  const quota = async () => {
    const orgs = await listOrgsPage(deps.db, '', ORGS_MAX);
    const uses = await Promise.all(orgs.map(async (o) => (await counter.usage(o.id, o.timezone)).map((u) => ({ org: o.id, ...u }))));
    return uses.flat();
  };
  app.get('/health', async (c) => {
    const state = await probe(deps);
    if (state.db !== 'ok') return c.json(state, 503);
    const since = deps.clock.now() - WEEK_MS;
    const [failed, dropped] = await Promise.all([recentFailures(deps.db, since, LIST_MAX), droppedReminders(deps.db, since, LIST_MAX)]);
    return c.json(
      {
        ...state,
        failedDeliveries: failed.map((f) => {
          const target = JSON.parse(f.target) as Target;
          return { id: f.id, ...(target.kind === 'chat' ? { chat: target.chatId } : {}), error: f.last_error, at: f.updated_at };
        }),
        droppedReminders: dropped.map((r) => ({ meeting: r.meeting_id, kind: r.kind, dueAt: r.due_at, reason: r.reason })),
        ...(state.redis === 'ok' ? { quota: await quota() } : {}),
      },
      state.redis === 'ok' ? 200 : 503,
    );
  });
  return app;
}
