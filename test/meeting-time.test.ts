import { afterEach, describe, expect, it } from 'vitest';
import { type TimeResult, parseMeetingTime } from '../src/domain/meeting-time.ts';

const SH = 'Asia/Shanghai';
// Saturday 2026-11-28 10:00 in Asia/Shanghai (02:00 UTC).
const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);

const at = (result: TimeResult) => {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.at;
};

const refusal = (result: TimeResult) => {
  if (result.ok) throw new Error(`accepted as ${new Date(result.at).toISOString()}`);
  return result.reason;
};

describe('parseMeetingTime: accepted forms (now = Sat 2026-11-28 10:00 Asia/Shanghai)', () => {
  it.each([
    ['12月5日 14:30', Date.UTC(2026, 11, 5, 6, 30)],
    ['12月5日14:30', Date.UTC(2026, 11, 5, 6, 30)],
    ['12月5号 14:30', Date.UTC(2026, 11, 5, 6, 30)],
    ['12/5 14:30', Date.UTC(2026, 11, 5, 6, 30)],
    ['2026-12-05 14:30', Date.UTC(2026, 11, 5, 6, 30)],
    ['2026-12-05T14:30', Date.UTC(2026, 11, 5, 6, 30)],
    ['2026年12月5日14时30分', Date.UTC(2026, 11, 5, 6, 30)],
    ['12月5日下午2点半', Date.UTC(2026, 11, 5, 6, 30)],
    ['１２月５日　１４：３０', Date.UTC(2026, 11, 5, 6, 30)],
    ['明天下午3点', Date.UTC(2026, 10, 29, 7, 0)],
    ['明天下午三点', Date.UTC(2026, 10, 29, 7, 0)],
    ['明天 15:00', Date.UTC(2026, 10, 29, 7, 0)],
    ['明天 下午 3点', Date.UTC(2026, 10, 29, 7, 0)],
    ['  明天下午3点  ', Date.UTC(2026, 10, 29, 7, 0)],
    ['后天上午10点', Date.UTC(2026, 10, 30, 2, 0)],
    ['今天下午3点', Date.UTC(2026, 10, 28, 7, 0)],
    ['今天上午10点01分', Date.UTC(2026, 10, 28, 2, 1)],
    ['下周三 15:00', Date.UTC(2026, 11, 2, 7, 0)],
    ['下周一上午九点', Date.UTC(2026, 10, 30, 1, 0)],
    ['周五上午9点半', Date.UTC(2026, 11, 4, 1, 30)],
    ['2027-01-03 09:00', Date.UTC(2027, 0, 3, 1, 0)],
  ])('%j', (text, expected) => {
    expect(at(parseMeetingTime(text, NOW, SH))).toBe(expected);
  });

  it('reads a weekday without 下 as the coming one', () => {
    // Saturday → the next Friday is 2026-12-04.
    expect(at(parseMeetingTime('周五 15:00', NOW, SH))).toBe(Date.UTC(2026, 11, 4, 7, 0));
    expect(at(parseMeetingTime('星期五 15:00', NOW, SH))).toBe(Date.UTC(2026, 11, 4, 7, 0));
    // Sunday is tomorrow.
    expect(at(parseMeetingTime('周日 9:00', NOW, SH))).toBe(Date.UTC(2026, 10, 29, 1, 0));
  });

  it('reads the time in the org zone', () => {
    const shanghai = at(parseMeetingTime('明天下午3点', NOW, SH));
    const utc = at(parseMeetingTime('明天下午3点', NOW, 'UTC'));
    expect(shanghai).toBe(Date.UTC(2026, 10, 29, 7, 0));
    expect(utc).toBe(Date.UTC(2026, 10, 29, 15, 0));
    expect(utc - shanghai).toBe(8 * 3_600_000);
    expect(at(parseMeetingTime('2026-12-05 14:30', NOW, 'UTC'))).toBe(Date.UTC(2026, 11, 5, 14, 30));
  });

  it('rolls a date without a year over the year end', () => {
    const dec30 = Date.UTC(2026, 11, 30, 2); // Wed 2026-12-30 10:00 Asia/Shanghai
    expect(at(parseMeetingTime('1月3日 9:00', dec30, SH))).toBe(Date.UTC(2027, 0, 3, 1, 0));
    expect(at(parseMeetingTime('1月3日 上午9点', dec30, SH))).toBe(Date.UTC(2027, 0, 3, 1, 0));
    expect(at(parseMeetingTime('12月31日 9:00', dec30, SH))).toBe(Date.UTC(2026, 11, 31, 1, 0));
    expect(at(parseMeetingTime('周五 9:00', dec30, SH))).toBe(Date.UTC(2027, 0, 1, 1, 0));
    expect(at(parseMeetingTime('下周一 9:00', dec30, SH))).toBe(Date.UTC(2027, 0, 4, 1, 0));
  });
});

describe('parseMeetingTime: refusals', () => {
  it.each([
    ['今天上午9点', '已经过去了'],
    ['今天上午10点', '已经过去了'], // exactly now is not the future
    ['2026-11-27 09:00', '已经过去了'],
    ['2025-12-05 14:30', '已经过去了'],
    ['15:00', '没有写哪一天'],
    ['下午3点', '没有写哪一天'],
    ['晚上8点', '没有写哪一天'],
    ['明天', '没有写几点'],
    ['明天下午', '没有写几点'],
    ['下周三', '没有写几点'],
    ['12月5日', '没有写几点'],
    ['2026-12-05', '没有写几点'],
    ['12/5', '没有写几点'],
    ['随便什么时候', '看不懂时间「随便什么时候」'],
    ['明天下午3点左右开会吧', '看不懂时间「明天下午3点左右开会吧」'],
    ['明天下午3点开会', '看不懂时间'],
    ['开会明天下午3点', '看不懂时间'],
    ['明天下午3点 明天下午4点', '看不懂时间'],
    ['12月32日 9:00', '看不懂时间'],
    ['2月30日 9:00', '看不懂时间'],
    ['13/5 14:30', '看不懂时间'],
    ['明天 25:00', '看不懂时间'],
    ['', '请写明会议时间'],
    ['　 ', '请写明会议时间'],
  ])('%j → %s', (text, reason) => {
    expect(refusal(parseMeetingTime(text, NOW, SH))).toContain(reason);
  });

  it('does not half-read a sentence: the whole text must be a time', () => {
    const result = parseMeetingTime('明天下午3点左右开会吧', NOW, SH);
    expect(result.ok).toBe(false);
    expect(refusal(result)).toContain('例如 12月5日 14:30');
  });

  // A date without a year that has just passed is a mistake, not a meeting a year away: a time in
  // the past is refused with a message of its own.
  it('refuses a recent month-day without a year instead of moving it a year ahead', () => {
    expect(refusal(parseMeetingTime('11月27日 9:00', NOW, SH))).toContain('已经过去了');
    expect(refusal(parseMeetingTime('11月28日 9:00', NOW, SH))).toContain('已经过去了');
    expect(refusal(parseMeetingTime('6月1日 9:00', NOW, SH))).toContain('已经过去了');
    expect(refusal(parseMeetingTime('12月29日 9:00', Date.UTC(2026, 11, 30, 2), SH))).toContain('已经过去了');
    // Far enough back (over half a year), it is next year's date.
    expect(at(parseMeetingTime('5月1日 9:00', NOW, SH))).toBe(Date.UTC(2027, 4, 1, 1, 0));
  });

  it('refuses a time more than 366 days ahead', () => {
    expect(refusal(parseMeetingTime('2028-01-05 09:00', NOW, SH))).toBe('时间「2028-01-05 09:00」超过一年以后，请写一年以内的时间。');
    expect(refusal(parseMeetingTime('2027年12月1日 9:00', NOW, SH))).toContain('超过一年以后');
    // 366 days after now (Sat 2026-11-28 10:00) is Mon 2027-11-29 10:00: accepted to the minute.
    expect(at(parseMeetingTime('2027-11-29 10:00', NOW, SH))).toBe(NOW + 366 * 86_400_000);
    expect(refusal(parseMeetingTime('2027-11-29 10:01', NOW, SH))).toContain('超过一年以后');
    // A month-day without a year is never read further ahead than a year.
    expect(at(parseMeetingTime('5月1日 9:00', NOW, SH))).toBe(Date.UTC(2027, 4, 1, 1, 0));
  });

  it('a bare weekday is the next one; 本周/这周 is this week even when it has passed', () => {
    // Saturday 10:00: 周六 11:00 is later today, 周六 9:00 is next Saturday.
    expect(at(parseMeetingTime('周六 11:00', NOW, SH))).toBe(Date.UTC(2026, 10, 28, 3, 0));
    expect(at(parseMeetingTime('周六 9:00', NOW, SH))).toBe(Date.UTC(2026, 11, 5, 1, 0));
    expect(at(parseMeetingTime('本周日 9:00', NOW, SH))).toBe(Date.UTC(2026, 10, 29, 1, 0));
    expect(at(parseMeetingTime('这周日 9:00', NOW, SH))).toBe(Date.UTC(2026, 10, 29, 1, 0));
    expect(refusal(parseMeetingTime('本周五 15:00', NOW, SH))).toContain('已经过去了');
    expect(refusal(parseMeetingTime('上周五 15:00', NOW, SH))).toContain('已经过去了');
    // Monday 2026-11-30 10:00: 上周五 is last week's, not this week's Friday.
    expect(refusal(parseMeetingTime('上周五 15:00', Date.UTC(2026, 10, 30, 2), SH))).toContain('已经过去了');
  });
});

describe('parseMeetingTime: a secretary planning the week on a Monday (now = Mon 2026-12-07 10:00)', () => {
  const MONDAY = Date.UTC(2026, 11, 7, 2, 0, 0);
  const TUESDAY = MONDAY + 86_400_000;
  const on = (day: number, hour: number, minute = 0) => Date.UTC(2026, 11, day, hour - 8, minute);

  it.each([
    ['本周五下午3点', MONDAY, on(11, 15)],
    ['这周五 15:00', MONDAY, on(11, 15)],
    ['本周六 9:00', MONDAY, on(12, 9)],
    ['本周日 9:00', TUESDAY, on(13, 9)],
    ['星期五下午3点', MONDAY, on(11, 15)],
    ['本周一 11:00', MONDAY, on(7, 11)],
    ['下周一 9点', MONDAY, on(14, 9)],
    ['下周日 9点', MONDAY, on(20, 9)],
    ['下下周一 9点', MONDAY, on(21, 9)],
    ['下下周三下午2点半', TUESDAY, on(23, 14, 30)],
    // A bare weekday is the coming one: today's when its time is still ahead.
    ['周一 11:00', MONDAY, on(7, 11)],
    ['周一 9:00', MONDAY, on(14, 9)],
    ['周五 14:30', MONDAY, on(11, 14, 30)],
  ])('%s is this week’s, the next or the one after', (text, now, expected) => {
    expect(at(parseMeetingTime(text, now, SH))).toBe(expected);
  });

  it('reads 晚上12点 as the midnight that ends the day, not noon', () => {
    expect(at(parseMeetingTime('明天晚上12点', MONDAY, SH))).toBe(on(9, 0));
    expect(at(parseMeetingTime('本周五晚上12点', MONDAY, SH))).toBe(on(12, 0));
    // Noon is still noon.
    expect(at(parseMeetingTime('明天中午12点', MONDAY, SH))).toBe(on(8, 12));
    expect(at(parseMeetingTime('明天12点', MONDAY, SH))).toBe(on(8, 12));
  });

  it('refuses a day with 上午 or 下午 but no hour as having no hour, and a week’s day that has passed as past', () => {
    expect(refusal(parseMeetingTime('2027年1月15日下午', MONDAY, SH))).toBe(
      '时间「2027年1月15日下午」没有写几点，请加上具体时刻，例如「15:00」。',
    );
    expect(refusal(parseMeetingTime('本周五下午', MONDAY, SH))).toContain('没有写几点');
    expect(refusal(parseMeetingTime('12月20日上午', MONDAY, SH))).toContain('没有写几点');
    expect(refusal(parseMeetingTime('本周一 9:00', MONDAY, SH))).toContain('已经过去了');
    expect(refusal(parseMeetingTime('本周一 9:00', TUESDAY, SH))).toContain('已经过去了');
    expect(refusal(parseMeetingTime('上周五 15:00', MONDAY, SH))).toContain('已经过去了');
  });

  it('crosses the year: 下周四 in the last days of December is January’s', () => {
    const lastMonday = Date.UTC(2026, 11, 28, 2, 0, 0);
    expect(at(parseMeetingTime('下周四 15:00', lastMonday, SH))).toBe(Date.UTC(2027, 0, 7, 7, 0));
    expect(at(parseMeetingTime('本周五 15:00', lastMonday, SH))).toBe(Date.UTC(2027, 0, 1, 7, 0));
  });
});

describe('parseMeetingTime: the org zone, not the process zone, decides the day', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  // 2026-11-28T20:00Z is Sunday 2026-11-29 04:00 in Asia/Shanghai but still Saturday in UTC.
  const EARLY = Date.UTC(2026, 10, 28, 20, 0);

  it('reads 明天 / 今天 on the org calendar in the small hours (UTC date ≠ local date)', () => {
    expect(at(parseMeetingTime('明天下午3点', EARLY, SH))).toBe(Date.UTC(2026, 10, 30, 7, 0)); // Mon 11-30 15:00
    expect(at(parseMeetingTime('今天下午3点', EARLY, SH))).toBe(Date.UTC(2026, 10, 29, 7, 0)); // Sun 11-29 15:00
    expect(at(parseMeetingTime('明天下午3点', EARLY, 'UTC'))).toBe(Date.UTC(2026, 10, 29, 15, 0)); // Sun 11-29 15:00Z
  });

  it('reads 明天 as the next calendar day even just after midnight', () => {
    process.env.TZ = SH; // even when the process runs in the org zone
    // Sunday 2026-11-29 01:30 in Shanghai: 明天 is Monday 11-30.
    expect(at(parseMeetingTime('明天下午3点', Date.UTC(2026, 10, 28, 17, 30), SH))).toBe(Date.UTC(2026, 10, 30, 7, 0));
  });

  it.each(['UTC', 'America/Los_Angeles', 'Asia/Shanghai', 'Europe/Berlin'])(
    'gives the same answers when the process runs in %s',
    (processTz) => {
      process.env.TZ = processTz;
      expect(at(parseMeetingTime('明天下午3点', NOW, SH))).toBe(Date.UTC(2026, 10, 29, 7, 0));
      expect(at(parseMeetingTime('12月5日 14:30', NOW, SH))).toBe(Date.UTC(2026, 11, 5, 6, 30));
      expect(at(parseMeetingTime('周五上午9点半', NOW, SH))).toBe(Date.UTC(2026, 11, 4, 1, 30));
      expect(at(parseMeetingTime('明天下午3点', EARLY, SH))).toBe(Date.UTC(2026, 10, 30, 7, 0));
    },
  );

  it('uses the offset of the meeting day, not of today, in a zone with DST', () => {
    // Now: Fri 2026-10-30 08:00 EDT (UTC-4); 2026-11-05 is after the change to EST (UTC-5).
    const beforeDst = Date.UTC(2026, 9, 30, 12);
    expect(at(parseMeetingTime('11月5日 14:30', beforeDst, 'America/New_York'))).toBe(Date.UTC(2026, 10, 5, 19, 30));
    expect(at(parseMeetingTime('2026-11-05 14:30', beforeDst, 'America/New_York'))).toBe(Date.UTC(2026, 10, 5, 19, 30));
  });
});

describe('parseMeetingTime: the hour people mean', () => {
  // Tomorrow, 2026-11-29, in Shanghai: `h` o'clock local is h - 8 UTC.
  const tomorrow = (hour: number, minute = 0) => Date.UTC(2026, 10, 29, hour - 8, minute);
  it.each([
    ['明天3点', tomorrow(15)],
    ['明天 3点', tomorrow(15)],
    ['明天三点', tomorrow(15)],
    ['明天1点', tomorrow(13)],
    ['明天6点半', tomorrow(18, 30)],
    ['明天3:30', tomorrow(15, 30)],
    ['明天下午3点', tomorrow(15)],
    ['明天凌晨3点', tomorrow(3)],
    ['明天早上6点', tomorrow(6)],
    ['明天上午6点', tomorrow(6)],
    ['明天03:00', tomorrow(3)],
    ['明天7点', tomorrow(7)],
    ['明天9点', tomorrow(9)],
    ['明天11点', tomorrow(11)],
    ['明天12点', tomorrow(12)],
    ['明天15点', tomorrow(15)],
  ])('%s', (text, expected) => {
    expect(at(parseMeetingTime(text, NOW, SH))).toBe(expected);
  });
});

describe('parseMeetingTime for a meeting already held (补录; now = Sat 2026-11-28 10:00)', () => {
  const past = (text: string, now = NOW) => parseMeetingTime(text, now, SH, 'past');

  it.each([
    ['11月20日 15:00', Date.UTC(2026, 10, 20, 7, 0)],
    ['昨天下午3点', Date.UTC(2026, 10, 27, 7, 0)],
    ['今天上午9点', Date.UTC(2026, 10, 28, 1, 0)],
    // A bare weekday is the last one: 周五 on a Saturday is yesterday; 周六 later today is last week's.
    ['周五下午3点', Date.UTC(2026, 10, 27, 7, 0)],
    ['周六下午3点', Date.UTC(2026, 10, 21, 7, 0)],
    ['周一 9:00', Date.UTC(2026, 10, 23, 1, 0)],
    ['上周三 15:00', Date.UTC(2026, 10, 18, 7, 0)],
    ['本周一 9:00', Date.UTC(2026, 10, 23, 1, 0)],
  ])('%s', (text, expected) => {
    expect(at(past(text))).toBe(expected);
  });

  it('reads a month-day far ahead as last year’s (12月20日 in January), a near one as a mistake', () => {
    const january = Date.UTC(2027, 0, 10, 2);
    expect(at(past('12月20日 15:00', january))).toBe(Date.UTC(2026, 11, 20, 7, 0));
    expect(refusal(past('12月5日 15:00'))).toBe('时间「12月5日 15:00」还没有到：补录只能记已经召开的会议，将来的会议请用「安排」。');
  });

  it('refuses a time to come, and explains with examples of past times', () => {
    expect(refusal(past('明天下午3点'))).toContain('还没有到');
    expect(refusal(past('下周三 15:00'))).toContain('还没有到');
    expect(refusal(past('随便'))).toContain('例如 11月20日 15:00、上周三下午3点、昨天上午9点');
  });
});
