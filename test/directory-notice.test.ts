import { describe, expect, it } from 'vitest';
import { branchNotices, directoryNoticeMessage, pendingByBranch, pendingFingerprint } from '../src/domain/directory-notice.ts';
import { type DirectoryPreview, unambiguousPart } from '../src/domain/directory.ts';

// What the directory sync tells a branch's secretaries: each change in the branch it concerns, a move
// in both; told again only when something changed there or what waits is not what they were told;
// names escaped and, past ten, counted.

const account = (userId: string) => ({ platform: 'wecom' as const, userId });
const names: Record<string, string> = { b1: '第一党支部', b2: '第二党支部', b3: '第三党支部' };
const branchName = (id: string) => names[id] ?? id;
const memberBranch = (id: string) => ({ m1: 'b1', m2: 'b2', m9: 'b3' })[id];

const preview: Pick<DirectoryPreview, 'moved' | 'gone' | 'conflicts' | 'returning' | 'emptyDepartments'> = {
  moved: [{ member: 'm1', name: '李四', from: 'b1', to: 'b2', account: account('lisi'), channel: 'wx', department: '4' }],
  gone: [{ member: 'm3', name: '孙八', branch: 'b3', account: account('sunba') }],
  conflicts: [
    { account: account('zhaoliu'), member: null, name: '赵六', branches: ['b2', 'b3'], departments: [] },
    { account: account('wu'), member: 'm9', name: '吴九', branches: ['b1', 'b2'], departments: [] },
  ],
  returning: [],
  emptyDepartments: [{ channel: 'wx', department: '6', branch: 'b1' }],
};

describe('the directory sync’s notice', () => {
  it('keeps only new members and names of a preview for the sync to apply', () => {
    const full = { basis: 'x', newMembers: [], renamed: [], nameHidden: [], ...preview };
    expect(unambiguousPart(full)).toEqual({ ...full, moved: [], gone: [] });
  });

  it('places what waits in each branch it concerns: a move in both, a conflict in each branch and the member’s own', () => {
    const pending = pendingByBranch(preview, memberBranch, branchName);
    expect(pending.get('b1')).toEqual({
      movingOut: [{ name: '李四', to: '第二党支部' }],
      movingIn: [],
      gone: [],
      conflicts: ['吴九'],
      returning: [],
      emptyDepartments: ['6'],
    });
    expect(pending.get('b2')).toMatchObject({ movingIn: [{ name: '李四', from: '第一党支部' }], conflicts: ['赵六', '吴九'] });
    expect(pending.get('b3')).toMatchObject({ gone: ['孙八'], conflicts: ['赵六', '吴九'] });
  });

  it('tells a branch when the sync changed something there, or what waits there changed; not otherwise', () => {
    const pending = pendingByBranch(preview, memberBranch, branchName);
    const told = Object.fromEntries([...pending].map(([b, p]) => [b, pendingFingerprint(p)]));
    expect([...branchNotices([], pending, {}, branchName).keys()].sort()).toEqual(['b1', 'b2', 'b3']);
    expect([...branchNotices([], pending, told, branchName).keys()]).toEqual([]);
    const renamed = branchNotices(
      [
        { kind: 'renamed', member: 'm2', branch: 'b2', from: '王五', to: '王武' },
        { kind: 'renamed', member: 'm2', branch: 'b2', from: '王武', to: '王伍' },
      ],
      pending,
      told,
      branchName,
    );
    expect([...renamed.keys()]).toEqual(['b2']);
    // Renamed twice since: told once, from her first name to her last; with all that still waits there.
    expect(renamed.get('b2')).toMatchObject({ renamed: [{ from: '王五', to: '王伍' }], pending: pending.get('b2') });
    // A name changed and changed back is no change.
    const back = branchNotices(
      [
        { kind: 'renamed', member: 'm2', branch: 'b2', from: '王五', to: '王武' },
        { kind: 'renamed', member: 'm2', branch: 'b2', from: '王武', to: '王五' },
      ],
      pending,
      told,
      branchName,
    );
    expect([...back.keys()]).toEqual([]);
  });

  it('escapes the names it echoes, and counts them past ten', () => {
    const added = Array.from({ length: 12 }, (_, i) => `新人${i + 1}`);
    const message = directoryNoticeMessage({
      branch: '第一*支部',
      added: ['<@all>', ...added],
      renamed: [],
      pending: { movingOut: [], movingIn: [], gone: [], conflicts: [], returning: [], emptyDepartments: [] },
    });
    expect(message.title).toBe('通讯录同步：第一＊支部');
    expect(message.markdown).toContain('已按通讯录更新 13 人：\n- 新增党员：＜@\u200ball＞、新人1、');
    expect(message.markdown).toContain('新人9等 13 人');
    expect(message.markdown).not.toContain('新人10');
    expect(message.markdown).not.toContain('待机关党委管理员确认');
  });
});
