import type { WorkCalendar } from '../domain/calendar.ts';
import { toLocal } from '../domain/time.ts';
import { computeDigest } from '../domain/digest/figures.ts';
import type { Audience, MessageFormat } from '../domain/message-format.ts';
import { renderDigest } from './digest.ts';
import type { DigestBranchFacts, DigestFigures, DigestWindow } from '../domain/digest/types.ts';

/** A footer line for each year of the week the holiday calendar has no data for. */
export function calendarFooter(calendar: WorkCalendar, window: DigestWindow): string[] {
  const years = [toLocal(window.from, window.tz).year, toLocal(window.to - 1, window.tz).year];
  return calendar
    .yearsWithoutData(Math.min(...years), Math.max(...years))
    .map((year) => `注：${year} 年尚无节假日数据，工作日暂按周一至周五计算（管理员可在后台补充）。`);
}

/** What one branch's digest is made from: its facts, the week, the holiday calendar and the check-in rule. */
export interface DigestInput {
  facts: DigestBranchFacts;
  window: DigestWindow;
  calendar: WorkCalendar;
  checkinCloses: number;
}

export interface DigestPreview {
  window: DigestWindow;
  figures: DigestFigures;
  title: string;
  parts: string[];
}

/**
 * One branch's digest, computed and rendered in parts that fit where it goes; nothing is pushed.
 * A digest for a group chat (no secretary reachable privately) names nobody.
 */
export function previewDigest(input: DigestInput, to: { format: MessageFormat; audience: Audience }, now: number): DigestPreview {
  const { facts, window, calendar } = input;
  const figures = computeDigest(facts, window, input.checkinCloses);
  const rendered = renderDigest(figures, { ...to, tz: window.tz, now, footer: calendarFooter(calendar, window) });
  return { window, figures, ...rendered };
}
