import { describe, expect, it } from 'vitest';
import {
  type DepartmentMapping,
  type DirectorySnapshot,
  type RosterEntry,
  changeCount,
  directoryBasis,
  directoryPreview,
  memberIdFor,
} from '../src/domain/directory.ts';

// The preview of the roster against the directory, on plain values: what is new, renamed, moved or
// gone; what is listed and never guessed (conflicts, members coming back); hidden names; departments
// in which nobody is listed.

const dt = (userId: string, name: string | null, ...departmentIds: string[]) => ({
  channel: 'dt1',
  platform: 'dingtalk' as const,
  userId,
  name,
  departmentIds,
});

/** DingTalk: 1 the root; 10 (with 11 under it), 20 and 30 under it; 40 mapped to nobody. */
const SNAPSHOT: DirectorySnapshot = {
  channels: [{ id: 'dt1', platform: 'dingtalk' }],
  departments: [
    { channel: 'dt1', id: '10', parentId: '1' },
    { channel: 'dt1', id: '11', parentId: '10' },
    { channel: 'dt1', id: '20', parentId: '1' },
    { channel: 'dt1', id: '30', parentId: '1' },
  ],
  people: [
    dt('zhang', '张三', '10'),
    dt('li', '李四', '11'),
    dt('wang', '王五', '20'),
    dt('zhao', '赵六', '10', '20'),
    dt('qian', null, '30'),
    dt('sun', '孙七', '40'),
  ],
};

const MAPPINGS: DepartmentMapping[] = [
  { branch: 'b1', channel: 'dt1', departmentId: '10', includeSub: true },
  { branch: 'b2', channel: 'dt1', departmentId: '20', includeSub: false },
  { branch: 'b3', channel: 'dt1', departmentId: '30', includeSub: false },
];

const member = (id: string, name: string, branch: string, accounts: RosterEntry['accounts'], status: RosterEntry['status'] = 'active') => ({
  id,
  name,
  branch_id: branch,
  status,
  accounts,
});

describe('the directory preview', () => {
  it('lists the new members of a first preview, a conflict, and a person whose name is hidden', () => {
    const p = directoryPreview(SNAPSHOT, MAPPINGS, []);
    expect(p.newMembers).toEqual([
      { id: 'li', name: '李四', account: { platform: 'dingtalk', userId: 'li' }, branch: 'b1', channel: 'dt1', department: '11' },
      { id: 'qian', name: null, account: { platform: 'dingtalk', userId: 'qian' }, branch: 'b3', channel: 'dt1', department: '30' },
      { id: 'wang', name: '王五', account: { platform: 'dingtalk', userId: 'wang' }, branch: 'b2', channel: 'dt1', department: '20' },
      { id: 'zhang', name: '张三', account: { platform: 'dingtalk', userId: 'zhang' }, branch: 'b1', channel: 'dt1', department: '10' },
    ]);
    expect(p.conflicts).toEqual([
      {
        account: { platform: 'dingtalk', userId: 'zhao' },
        member: null,
        name: '赵六',
        branches: ['b1', 'b2'],
        departments: [
          { channel: 'dt1', department: '10', branch: 'b1' },
          { channel: 'dt1', department: '20', branch: 'b2' },
        ],
      },
    ]);
    expect(p.nameHidden).toEqual([{ account: { platform: 'dingtalk', userId: 'qian' }, member: null, name: null }]);
    expect([p.renamed, p.moved, p.gone, p.returning, p.emptyDepartments]).toEqual([[], [], [], [], []]);
    expect(changeCount(p)).toBe(4);
  });

  it('finds renames, moves and departures against the roster, and leaves hand-kept branches and other platforms alone', () => {
    const roster = [
      member('m1', '张叁', 'b1', { dingtalk: 'zhang' }),
      member('m2', '王五', 'b1', { dingtalk: 'wang' }),
      member('m3', '周八', 'b2', { dingtalk: 'zhou' }),
      // b9 maps no department: kept by hand.
      member('m4', '吴九', 'b9', { dingtalk: 'wu' }),
      // b1 maps DingTalk departments only: her WeCom account says nothing.
      member('m5', '郑十', 'b1', { wecom: 'zheng' }),
      member('m6', '李四', 'b1', { dingtalk: 'li' }),
      member('m7', '钱', 'b3', { dingtalk: 'qian' }),
    ];
    const p = directoryPreview(SNAPSHOT, MAPPINGS, roster);
    expect(p.newMembers).toEqual([]);
    expect(p.renamed).toEqual([{ member: 'm1', from: '张叁', to: '张三', account: { platform: 'dingtalk', userId: 'zhang' } }]);
    expect(p.moved).toEqual([
      {
        member: 'm2',
        name: '王五',
        from: 'b1',
        to: 'b2',
        account: { platform: 'dingtalk', userId: 'wang' },
        channel: 'dt1',
        department: '20',
      },
    ]);
    expect(p.gone).toEqual([{ member: 'm3', name: '周八', branch: 'b2', account: { platform: 'dingtalk', userId: 'zhou' } }]);
    // A hidden name keeps tongxin's, and the preview says so.
    expect(p.nameHidden).toEqual([{ account: { platform: 'dingtalk', userId: 'qian' }, member: 'm7', name: '钱' }]);
  });

  it('lists a member who left and is in a mapped department again, without bringing her back', () => {
    const p = directoryPreview(SNAPSHOT, MAPPINGS, [member('m1', '张三', 'b1', { dingtalk: 'zhang' }, 'left')]);
    expect(p.returning).toEqual([{ member: 'm1', name: '张三', branches: ['b1'], account: { platform: 'dingtalk', userId: 'zhang' } }]);
    expect(p.newMembers.map((n) => n.id)).not.toContain('zhang');
    expect(p.gone).toEqual([]);
  });

  it('gives a department mapped inside another branch’s tree to the branch that named it', () => {
    const snapshot: DirectorySnapshot = {
      ...SNAPSHOT,
      departments: [...SNAPSHOT.departments, { channel: 'dt1', id: '12', parentId: '11' }],
      people: [dt('li', '李四', '11'), dt('ma', '马', '12')],
    };
    const mappings = [...MAPPINGS, { branch: 'b4', channel: 'dt1', departmentId: '11', includeSub: false }];
    const p = directoryPreview(snapshot, mappings, []);
    // 11 is b4's own; 12 under it is not (b4 left out those under it), so b1's tree takes it.
    expect(p.newMembers.map((n) => [n.id, n.branch])).toEqual([
      ['li', 'b4'],
      ['ma', 'b1'],
    ]);
    expect(p.conflicts).toEqual([]);
  });

  it('pools a member’s two accounts: departments of two branches are a conflict, never a move', () => {
    const snapshot: DirectorySnapshot = {
      channels: [...SNAPSHOT.channels, { id: 'wx1', platform: 'wecom' }],
      departments: [...SNAPSHOT.departments, { channel: 'wx1', id: '5', parentId: '1' }],
      people: [dt('zhang', '张三', '10'), { channel: 'wx1', platform: 'wecom', userId: 'zs', name: '张三', departmentIds: ['5'] }],
    };
    const mappings = [...MAPPINGS, { branch: 'b2', channel: 'wx1', departmentId: '5', includeSub: false }];
    const p = directoryPreview(snapshot, mappings, [member('m1', '张三', 'b1', { dingtalk: 'zhang', wecom: 'zs' })]);
    expect(p.conflicts.map((c) => [c.account.userId, c.member, c.branches])).toEqual([
      ['zhang', 'm1', ['b1', 'b2']],
      ['zs', 'm1', ['b1', 'b2']],
    ]);
    expect([p.moved, p.gone, p.newMembers]).toEqual([[], [], []]);
  });

  it('reads a name given as the user id, or empty, as hidden (WeCom’s answer to apps that may not read names)', () => {
    const snapshot: DirectorySnapshot = {
      ...SNAPSHOT,
      people: [dt('zhang', 'zhang', '10'), dt('li', ' ', '10')],
    };
    const p = directoryPreview(snapshot, MAPPINGS, [member('m1', '张三', 'b1', { dingtalk: 'zhang' })]);
    expect(p.renamed).toEqual([]);
    expect(p.nameHidden.map((h) => [h.account.userId, h.member, h.name])).toEqual([
      ['li', null, null],
      ['zhang', 'm1', '张三'],
    ]);
    expect(p.newMembers).toEqual([expect.objectContaining({ id: 'li', name: null })]);
  });

  it('flags a mapped department in which the directory lists nobody', () => {
    const snapshot = { ...SNAPSHOT, people: SNAPSHOT.people.filter((person) => !person.departmentIds.includes('20')) };
    const p = directoryPreview(snapshot, MAPPINGS, [member('m2', '王五', 'b2', { dingtalk: 'wang' })]);
    expect(p.emptyDepartments).toEqual([{ channel: 'dt1', department: '20', branch: 'b2' }]);
    expect(p.gone.map((g) => g.member)).toEqual(['m2']);
  });

  it('is the same whatever order it was read in, and its basis changes with the directory, the mappings or the roster', () => {
    const roster = [member('m1', '张叁', 'b1', { dingtalk: 'zhang' })];
    const shuffled: DirectorySnapshot = {
      channels: SNAPSHOT.channels,
      departments: [...SNAPSHOT.departments].reverse(),
      people: [...SNAPSHOT.people].reverse().map((p) => ({ ...p, departmentIds: [...p.departmentIds].reverse() })),
    };
    const p = directoryPreview(SNAPSHOT, MAPPINGS, roster);
    expect(directoryPreview(shuffled, [...MAPPINGS].reverse(), roster)).toEqual(p);
    const basis = directoryBasis(SNAPSHOT, MAPPINGS, roster);
    expect(p.basis).toBe(basis);
    expect(directoryBasis({ ...SNAPSHOT, people: [...SNAPSHOT.people, dt('new', '新', '10')] }, MAPPINGS, roster)).not.toBe(basis);
    expect(directoryBasis(SNAPSHOT, MAPPINGS.slice(1), roster)).not.toBe(basis);
    expect(directoryBasis(SNAPSHOT, MAPPINGS, [member('m1', '张三', 'b1', { dingtalk: 'zhang' })])).not.toBe(basis);
  });

  it('gives a new member her user id as her id where it is free and an id, else one made from it', () => {
    expect(memberIdFor('zhang', new Set())).toBe('zhang');
    expect(memberIdFor('zhang', new Set(['zhang', 'zhang-2']))).toBe('zhang-3');
    expect(memberIdFor('li@corp', new Set())).toBe('li_corp');
    expect(memberIdFor('张三', new Set())).toBe('__');
    expect(memberIdFor('x'.repeat(70), new Set(['x'.repeat(64)]))).toBe(`${'x'.repeat(62)}-2`);
  });
});
