import { describe, expect, it } from 'vitest';
import { type Parsed, parseCommand } from '../src/commands/parse.ts';
import { stripMention } from '../src/chat.ts';

const parse = (line: string) => parseCommand(stripMention(line), { now: Date.UTC(2026, 10, 28, 2), tz: 'Asia/Shanghai' });

describe('parseCommand', () => {
  const valid: [string, Parsed][] = [
    ['帮助', { ok: true, command: { kind: 'help' } }],
    ['/help', { ok: true, command: { kind: 'help' } }],
    ['？', { ok: true, command: { kind: 'help' } }],
    ['@党建助手 帮助', { ok: true, command: { kind: 'help' } }],
    [
      '@bot 汇报 企业 走访某公司，协调解决用电难题',
      { ok: true, command: { kind: 'report', category: 'enterprise', text: '走访某公司，协调解决用电难题', tags: [] } },
    ],
    [
      '汇报：服务项目，推进园区道路项目征地协调 #同部署',
      { ok: true, command: { kind: 'report', category: 'project', text: '推进园区道路项目征地协调', tags: ['deploy'] } },
    ],
    [
      '　汇报　基层　到联系点村调研集体经济发展　＃同研究　#同检查',
      { ok: true, command: { kind: 'report', category: 'grassroots', text: '到联系点村调研集体经济发展', tags: ['research', 'inspect'] } },
    ],
    [
      'REPORT public 为社区老人代办社保认证',
      { ok: true, command: { kind: 'report', category: 'public', text: '为社区老人代办社保认证', tags: [] } },
    ],
    [
      '汇报 群众 帮助#3号楼居民 解决供暖问题',
      { ok: true, command: { kind: 'report', category: 'public', text: '帮助#3号楼居民 解决供暖问题', tags: [] } },
    ],
  ];
  it.each(valid)('%s', (line, expected) => {
    expect(parse(line)).toEqual(expected);
  });

  const refused: [string, string][] = [
    ['汇报', '请写明服务类别和内容'],
    ['汇报 未知类别 走访某公司', '未知的服务类别「未知类别」'],
    ['汇报 企业 走访', '太短'],
    [`汇报 企业 ${'字'.repeat(501)}`, '太长'],
    ['汇报 企业 走访某公司协调用电 #同学习', '未知的五同标签「#同学习」'],
  ];
  it.each(refused)('%s → refused', (line, reason) => {
    const result = parse(line);
    expect(result).toMatchObject({ ok: false, kind: 'report' });
    expect((result as { reason: string }).reason).toContain(reason);
  });

  it.each(['大家好', '', '   ', '汇报了吗', '@党建助手'])('%j is not a command', (line) => {
    expect(parse(line)).toBeNull();
  });

  it('counts characters, not bytes or UTF-16 units', () => {
    expect(parse(`汇报 企业 ${'𠮷'.repeat(500)}`)).toMatchObject({ ok: true });
    expect(parse('汇报 企业 𠮷𠮷𠮷𠮷')).toMatchObject({ ok: false });
  });
});
