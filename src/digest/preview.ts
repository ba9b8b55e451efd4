import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { getOrg } from '../../db/orgs.ts';
import { loadDigestFacts } from '../../db/digest-facts.ts';
import { loadWorkCalendar } from '../../db/calendar.ts';
import { computeDigest } from './figures.ts';
import { type DigestPlatform, renderDigest } from './render.ts';
import { digestWindow } from './window.ts';
import type { DigestFigures, DigestWindow } from './types.ts';
import { toLocal } from '../time.ts';

/** A footer line for each year of the week the holiday calendar has no data for. */
export async function calendarFooter(db: Kysely<Database>, window: DigestWindow): Promise<string[]> {
  const calendar = await loadWorkCalendar(db);
  const years = [toLocal(window.from, window.tz).year, toLocal(window.to - 1, window.tz).year];
  return calendar
    .yearsWithoutData(Math.min(...years), Math.max(...years))
    .map((year) => `注：${year} 年尚无节假日数据，工作日暂按周一至周五计算（管理员可在后台补充）。`);
}

export interface DigestPreview {
  window: DigestWindow;
  figures: DigestFigures;
  title: string;
  parts: string[];
}

/** The digest of one branch, computed and rendered, without pushing anything. */
export async function previewDigest(db: Kysely<Database>, orgId: string, branchId: string, week: string, now: number, channel: DigestPlatform = 'dingtalk'): Promise<DigestPreview | null> {
  const org = await getOrg(db, orgId);
  const window = org && digestWindow(week, org.timezone, now);
  if (!window) return null;
  const [facts] = await loadDigestFacts(db, orgId, window, branchId);
  if (!facts) return null;
  const figures = computeDigest(facts, window);
  const rendered = renderDigest(figures, { platform: channel, tz: window.tz, now, footer: await calendarFooter(db, window) });
  return { window, figures, ...rendered };
}

