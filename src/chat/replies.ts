import { escapeMarkdown, quote } from '../domain/markdown.ts';

// Every sentence the chat commands answer with, in one file, so that the wording is reviewed in one
// place (parse.ts holds the usage lines, refusal titles and the refusals of what could not be read).
// `meeting` is a meeting's title as describeMeeting gives it, already escaped; every other piece of
// user text is escaped (names) or quoted (free text) here.

const list = (items: string[]) => items.map(escapeMarkdown).join('、');
const ASK_HELP = '发送「帮助」查看用法。';

export const SAY = {
  // Anyone
  empty: `请发送文字命令，例如「签到」；${ASK_HELP}`,
  notUnderstood: (text: string, suggestion?: string) =>
    `没有看懂${quote(text, 20)}。${suggestion ? `是想发送「${suggestion}」吗？` : ''}${ASK_HELP}`,
  // 你好, 谢谢, 收到: one line back, as a colleague would answer.
  pleasantry: {
    greeting: `您好，${ASK_HELP}`,
    thanks: '不客气。',
    ack: '好的。',
  },
  withUsage: (reason: string, usage: string) => `${reason}\n\n用法：${usage}`,
  notInRoster: '还没有找到你的党员信息：请联系支部书记把你的账号登记到同心，之后再试。',
  secretaryOnly: '只有支部书记可以使用这条命令。',
  leftRoster: '你已不在党员名册中：如有误，请联系支部书记。',
  privateOnly: (command: string) => `为保护个人信息，「${command}」只在私聊中回复：请私聊我发送「${command}」。`,

  // Which meeting
  unknownCode: (code: string) => `本支部没有编号为 ${code} 的会议，请核对会议通知里的编号。`,
  cancelled: (code: string) => `会议 ${code} 已取消。`,
  calledOff: (code: string) => `会议 ${code} 已在开始后取消，记为未召开。`,
  noMeeting: {
    checkin: '现在没有需要你签到的会议。',
    leave: '近期没有需要你参加的会议。',
    attendance: '本支部近期没有会议。',
    remind: '现在没有正在签到的会议；请写明会议编号，例如「提醒 K7Q」。',
  },
  checkinNotOpen: (meeting: string, opens: string) => `签到还没开始：${meeting}，${opens}起可以签到。`,
  notExpected: (code: string, then = '') => `你不在会议 ${code} 的应到人员中${then}。`,

  // 签到
  checkinClosed: (code: string) => `会议 ${code} 的签到已结束；未能参加的可以发送「补学 ${code} 学习体会」。`,
  checkedIn: (name: string, meeting: string) => `**${escapeMarkdown(name)} 已签到**：${meeting}`,
  presentCount: (present: number, expected: number) => `到会 ${present}/${expected} 人`,
  leaveWithdrawnByCheckin: '你此前的请假已撤销，记为到会。',
  quorum: (present: number, formal: number, reached: boolean) =>
    `正式党员到会 ${present}/${formal} 人，${reached ? '已过半数' : '尚未过半数'}`,

  // 请假, 销假, 补学
  leaveTooLate: (code: string) => `会议 ${code} 已经结束，不能再请假；可以发送「补学 ${code} 学习体会」。`,
  alreadyPresent: (code: string) => `你已在会议 ${code} 签到，无需请假。`,
  onLeave: (name: string, meeting: string, reason: string, code: string) =>
    [`**${escapeMarkdown(name)} 已请假**：${meeting}`, `事由：${escapeMarkdown(reason)}`, `会后可发送「补学 ${code} 学习体会」补学。`].join(
      '\n\n',
    ),
  onLeaveAskReason: (name: string, meeting: string) =>
    `**${escapeMarkdown(name)} 已请假**：${meeting}\n\n请补充请假事由：我已私信你，直接回复即可。`,
  onLeaveNoReason: (name: string, meeting: string, code: string) =>
    `**${escapeMarkdown(name)} 已请假**：${meeting}\n\n请补充请假事由：发送「请假 ${code} 事由」。`,
  askLeaveReason: (meeting: string) => `你已请假：${meeting}。\n\n请直接回复请假事由（一句话即可），我会补进请假记录。`,
  whichLeaveReason: (codes: string[]) =>
    `你有 ${codes.length} 次请假尚未写事由，请注明会议：发送「请假 ${codes[0]} 事由」（编号：${codes.join('、')}）。`,
  cardOutdated: (code: string) => `这张卡片的会议 ${code} 已不是本支部近期的会议，请以最新通知为准。`,
  cardUnknown: '没有找到这张卡片对应的会议，请以最新通知为准。',
  noLeaveAt: (code: string) => `你没有在会议 ${code} 请假，无需销假。`,
  noLeave: '你近期没有请假，无需销假。',
  withdrawTooLate: (code: string) => `会议 ${code} 已经开始，不能销假；能到会的，直接签到即可。`,
  withdrawn: (name: string, meeting: string) => `**${escapeMarkdown(name)} 已销假**：${meeting}\n\n届时请按时参会，签到开始后可以签到。`,
  makeupTooEarly: (meeting: string, closes: string) => `会议还没有结束：${meeting}，签到结束后（${closes} 后）可以补学。`,
  whichMakeup: (codes: string[]) =>
    `有 ${codes.length} 个会议等你补学：${codes.join('、')}，请写明会议编号，例如「补学 ${codes[0]} 学习体会」。`,
  noMakeupAwaited: '近期没有需要你补学的会议。',
  makeupNotNeeded: (code: string) => `你参加了会议 ${code}，无需补学。`,
  madeUp: (name: string, meeting: string) => `**${escapeMarkdown(name)} 已补学**：${meeting}`,

  // 汇报, 我的
  reported: (name: string, label: string, tags: string[], text: string) =>
    `**已记录四服务汇报**\n\n${escapeMarkdown(name)} · ${label}${tags.length ? `　${tags.join(' ')}` : ''}\n\n> ${escapeMarkdown(text)}`,
  mineTitle: '本季度我的情况',
  mine: (c: { due: number; present: number; leave: number; absent: number; makeup: number; rate: number | null }, reports: string) =>
    [
      '**本季度我的情况**',
      '',
      `- 三会一课：应参加 ${c.due} 次，到会 ${c.present} 次，请假 ${c.leave} 次，缺席 ${c.absent} 次，补学 ${c.makeup} 次` +
        (c.rate === null ? '' : `，出勤率 ${c.rate}%（请假不计入）`),
      `- 四服务汇报：${reports}`,
    ].join('\n'),

  // 会议
  meetingsTitle: '本支部的会议',
  meetings: (upcoming: string[], recent: string[], unlisted: string | null) =>
    [
      '**本支部的会议**',
      '',
      '即将召开：',
      ...(upcoming.length ? upcoming : ['无']).map((m) => `- ${m}`),
      '',
      '近30天：',
      ...(recent.length ? recent : ['无']).map((m) => `- ${m}`),
      ...(unlisted ? ['', unlisted] : []),
      '',
      '签到、请假时可写会议编号，如「签到 K7Q」。',
    ].join('\n'),
  underWay: '进行中',
  meetingsUnlisted: (count: number, seeAll: 'self' | 'secretary' | null) =>
    `另有 ${count} 个会议未列出${{ self: '，可私聊我发送「控制台」，在管理后台查看全部会议', secretary: '，可请支部书记在管理后台查看', none: '' }[seeAll ?? 'none']}。`,

  // 帮助
  helpTitle: '同心 · 使用说明',
  help: (memberLines: string[], secretaryLines: string[] | null, inRoster: boolean, guideUrl?: string) => {
    const lines = ['**同心 · 使用说明**', '', '在群里 @我 或私聊我发送：', '', ...memberLines];
    if (secretaryLines) lines.push('', '**书记可用：**', '', ...secretaryLines);
    if (!inRoster) lines.push('', '你还没有登记为党员，请联系支部书记登记你的账号。');
    lines.push('', '签到自愿、一句话即可，不需要截图或定位；不能参加的可以请假，会后补学。');
    if (guideUrl) lines.push('', `使用指南：${guideUrl}`);
    return lines.join('\n');
  },

  // 版本
  versionTitle: '版本',
  version: (version: string) => `同心 ${version}`,

  // 安排, 改期, 取消
  whichGroup: (groups: string[]) => `本支部有党小组，请写明是哪个小组：${list(groups)}。`,
  noSuchGroup: (group: string, groups: string[]) => `本支部没有${quote(group)}，现有：${list(groups)}。`,
  scheduled: (
    meeting: string,
    m: { code: string; expected: number; location: string | null; group: string | null; tags: string[]; bot: string },
  ) => {
    const lines = [`**已安排${meeting}**`, '', `会议编号：**${m.code}**　应到 ${m.expected} 人`];
    if (m.location) lines.push(`地点：${escapeMarkdown(m.location)}`);
    if (m.group) lines.push(`小组：${escapeMarkdown(m.group)}`);
    if (m.tags.length) lines.push(`五同：${m.tags.join(' ')}`);
    lines.push('', `参会同志可在群里发送「@${m.bot} 签到」；不能参加的发送「@${m.bot} 请假 ${m.code} 事由」。`);
    return lines.join('\n');
  },
  alreadyScheduled: (meeting: string) => `**这个会议已经安排过了**：${meeting}，没有重复安排。`,
  alreadyRecorded: (meeting: string, code: string) =>
    `**这个会议已经有记录了**：${meeting}，没有重复补录。\n\n到会的同志请用「登记 ${code} 姓名… 到」记下，会议决定用「纪要 ${code} 内容」。`,
  backfillTooOld: (first: string) => `补录只能记本季度和上季度召开的会议（${first}起）。`,
  backfilled: (meeting: string, code: string, expected: number) =>
    [
      `**已补录${meeting}**`,
      `会议编号：**${code}**　应到 ${expected} 人　记为已召开（补录）`,
      `请用「登记 ${code} 姓名… 到」记下到会的同志，请假的写「请假」。`,
    ].join('\n\n'),
  rescheduleStarted: (code: string) => `会议 ${code} 已经开始，不能再改期。`,
  rescheduled: (meeting: string, voided: number) =>
    voided ? `**已改期：${meeting}**\n\n原时间的 ${voided} 人签到已作废，请到会同志在新的时间重新签到。` : `**已改期：${meeting}**`,
  cancelledNow: (meeting: string) => `**已取消：${meeting}**`,
  calledOffNow: (meeting: string, reason?: string) =>
    [
      `**会议已开始，记为未召开**：${meeting}`,
      reason ? `原因：${escapeMarkdown(reason)}（已记入会议记录）` : '可以在「取消」后写明原因，记入会议记录。',
      '不计入三会一课完成数。',
    ].join('\n\n'),

  // 提醒, 登记, 纪要
  remindNotOpen: (code: string) => `会议 ${code} 的签到还没开始，开始后再提醒。`,
  nobodyToRemind: (meeting: string) => `应到的同志都已签到或请假，无需提醒：${meeting}`,
  noChats: '本支部还没有绑定群聊，无法在群里提醒。',
  noRobot: '本支部的群还没有配置群机器人，无法在群里提醒；请联系管理员为群设置机器人。',
  reminded: (meeting: string) => `**已在群里提醒尚未签到的同志**：${meeting}`,
  registerNotOpen: (meeting: string, opens: string) => `签到还没开始：${meeting}，${opens}起可以登记到会；请假现在就可以登记。`,
  notExpectedNames: (names: string[], code: string) => `这些同志不在会议 ${code} 的应到人员中：${list(names)}，无需登记。`,
  unknownNames: (names: string[]) => `本支部没有这些同志：${list(names)}，请核对姓名。`,
  sameNames: (names: string[]) => `本支部有同名的同志：${list(names)}，请在管理后台登记。`,
  registeredLeaveNote: '书记登记',
  registered: (present: boolean, names: string[], meeting: string, leaveWithdrawn: string[] = []) =>
    `**已登记${present ? '到会' : '请假'}**：${list(names)}\n\n${meeting}` +
    (leaveWithdrawn.length ? `\n\n${list(leaveWithdrawn)}此前的请假已撤销，记为到会。` : ''),
  minuted: (meeting: string) => `**已记入会议记录**：${meeting}`,
  recordRole: (role: string, name: string, meeting: string) => `**已记入会议记录**：${role} ${escapeMarkdown(name)}\n\n${meeting}`,

  // 出勤, 统计, 周报
  attendance: (
    meeting: string,
    l: { expected: number; present: string[]; leave: string[]; absent: string[] | null; notYetIn: string[] | null; state: string | null },
    makeup: string[],
  ) => {
    const names = (people: string[]) => (people.length ? list(people) : '无');
    const lines = [
      `**出勤：${meeting}**`,
      '',
      `应到 ${l.expected} 人，到会 ${l.present.length} 人，请假 ${l.leave.length} 人${l.absent ? `，缺席 ${l.absent.length} 人` : ''}`,
      '',
      `- 到会：${names(l.present)}`,
      `- 请假：${l.leave.length ? l.leave.join('、') : '无'}`,
      l.absent ? `- 缺席：${names(l.absent)}` : l.notYetIn ? `- 尚未签到：${names(l.notYetIn)}` : `- 状态：${l.state}`,
    ];
    if (makeup.length) lines.push(`- 已补学：${names(makeup)}`);
    return lines.join('\n');
  },
  leaveWithReason: (name: string, reason: string | null) => `${escapeMarkdown(name)}（${escapeMarkdown(reason ?? '未写事由')}）`,
  statsRow: (label: string, held: number, due: number, status: string) => `- ${label}：已开 ${held} 次 / 应开 ${due} 次　${status}`,
  statsNotHeld: (count: number) => `另有 ${count} 次会议未召开（无人到会、无纪要，或开始后取消），不计入。`,
  statsBackfilled: (count: number) => `已开的会议中有 ${count} 次是补录的（召开时未使用机器人）。`,
  stats: (label: string, rows: string[]) => [`**${label}三会一课完成情况**`, '', ...rows].join('\n'),
  // 导出
  exportSending: (file: string) => `正在生成「${escapeMarkdown(file)}」，稍后单独发送给你。`,
  exportUnreachable: '暂时无法把文件发给你：这个渠道不能私发文件给你。请在钉钉或企业微信自建应用中私聊发送，或联系管理员登记你的账号。',

  // 控制台
  consoleLinkSent: (minutes: number) => `登录链接将单独私信发给你，${minutes} 分钟内有效，只能使用一次。`,
  consoleLinkText: (minutes: number) => `控制台登录链接，请在 ${minutes} 分钟内打开，只能使用一次，请勿转发：`,
  consoleOff: '本单位还没有开启控制台，请联系管理员。',
  consoleUnreachable:
    '无法把登录链接私信发给你：这个渠道不能私信你。请在钉钉或企业微信自建应用中私聊发送「控制台」，或联系管理员登记你的账号。',

  weeklyUnavailable: '暂时无法生成本周周报，请稍后再试。',
  weeklyUndelivered: (parts: number) => `（本周周报共 ${parts} 部分，其余部分无法私信送达，请联系管理员登记你的账号。）`,

  // 绑定
  bindInGroup: '请在要绑定的群聊里 @我 发送这条命令。',
  noBranch: (name: string) => `没有名为${quote(name)}的支部，请核对支部全称。`,
  bindNotSecretary: (branch: string) => `只有${quote(branch)}的支部书记可以把群绑定到该支部。`,
  boundElsewhere: (other: string, branch: string) => `本群已绑定到${quote(other)}，不能再绑定到${quote(branch)}；如需改绑，请联系管理员。`,
  bound: (branch: string, already: boolean) =>
    already
      ? `本群已经绑定在「${escapeMarkdown(branch)}」，无需重复绑定。`
      : `**已将本群绑定到「${escapeMarkdown(branch)}」**\n\n会议提醒和通知将发到这个群。`,
} as const;
