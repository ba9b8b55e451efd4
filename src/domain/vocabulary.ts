import type { MeetingType, ServiceCategory } from './records.ts';

// The words members type and the labels replies use.

export const CATEGORY_LABELS: Record<ServiceCategory, string> = {
  enterprise: '服务企业',
  project: '服务项目',
  grassroots: '服务基层',
  public: '服务群众',
};

const CATEGORY_WORDS: Record<string, ServiceCategory> = {
  企业: 'enterprise',
  项目: 'project',
  基层: 'grassroots',
  群众: 'public',
};

/** `企业`, `服务企业` or the key `enterprise` → enterprise; undefined for anything else. */
export function categoryOf(word: string): ServiceCategory | undefined {
  if (Object.hasOwn(CATEGORY_LABELS, word)) return word as ServiceCategory;
  return CATEGORY_WORDS[word.replace(/^服务/, '')];
}

/** Every spelling categoryOf reads, longest first: a category glued to its text is read by the longest that fits. */
export const CATEGORY_SPELLINGS: readonly string[] = [
  ...Object.keys(CATEGORY_WORDS).flatMap((word) => [word, `服务${word}`]),
  ...Object.keys(CATEGORY_LABELS),
].sort((a, b) => b.length - a.length);

export type FiveTag = 'research' | 'deploy' | 'inspect' | 'assess' | 'review';

export const TAG_LABELS: Record<FiveTag, string> = {
  research: '同研究',
  deploy: '同部署',
  inspect: '同检查',
  assess: '同考核',
  review: '同讲评',
};

const TAG_WORDS = Object.fromEntries(Object.entries(TAG_LABELS).map(([tag, label]) => [label, tag as FiveTag]));

/** `同研究` → research; undefined for anything else. */
export function tagOf(word: string): FiveTag | undefined {
  return TAG_WORDS[word];
}

/** The 五同 tags among a record's tags. */
export const fiveTagsOf = (tags: readonly string[]): FiveTag[] => tags.filter((t): t is FiveTag => Object.hasOwn(TAG_LABELS, t));

export const MEETING_LABELS: Record<MeetingType, string> = {
  assembly: '支部党员大会',
  committee: '支部委员会会议',
  group: '党小组会',
  lecture: '党课',
  theme_day: '主题党日',
  life: '组织生活会',
};

const MEETING_WORDS: Record<string, MeetingType> = {
  党员大会: 'assembly',
  支部大会: 'assembly',
  支部党员大会: 'assembly',
  支委会: 'committee',
  支委: 'committee',
  支委会议: 'committee',
  支部委员会: 'committee',
  支部委员会会议: 'committee',
  党小组会: 'group',
  党小组: 'group',
  小组会: 'group',
  党课: 'lecture',
  主题党日: 'theme_day',
  主题党日活动: 'theme_day',
  党日活动: 'theme_day',
  组织生活会: 'life',
};

/** `支委会` → committee; undefined for anything else. */
export function meetingTypeOf(word: string): MeetingType | undefined {
  return MEETING_WORDS[word];
}

export const MEETING_WORD_LIST = '党员大会、支委会、党小组会、党课、主题党日、组织生活会';

/** Meeting codes: three characters without the look-alikes I/L/O/0/1, typed in any case. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE = new RegExp(`^[${CODE_ALPHABET}]{3}$`);

export function asCode(word: string): string | undefined {
  const upper = word.normalize('NFKC').toUpperCase();
  return CODE.test(upper) ? upper : undefined;
}
