import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMAND_TABLE } from '../handlers/index.ts';
import { reportCommand } from '../handlers/report.ts';
import { bindCommand } from '../handlers/bind.ts';
import { type CommandDefinition, commandTable } from '../src/chat/command.ts';
import { normalise } from '../src/chat/parse.ts';
import { ACTIONS } from '../src/domain/policy.ts';

// A command is one definition; the dispatcher's tables are derived from the list. A definition
// that lacks a part, or a word two commands claim, fails here rather than in a member's chat.

/** The parts `definition` lacks or gets wrong. */
function missingParts(definition: CommandDefinition): string[] {
  const missing: string[] = [];
  const text = (value: unknown) => typeof value === 'string' && value.trim() !== '';
  if (!text(definition.kind)) missing.push('kind');
  if (!Array.isArray(definition.words) || definition.words.length === 0 || !definition.words.every(text)) missing.push('words');
  // Lines are matched normalised (full-width forms, case): a word stored otherwise would never match.
  else if (!definition.words.every((w) => normalise(w) === w)) missing.push('words (normalised)');
  if (!text(definition.usage)) missing.push('usage');
  if (!text(definition.refusalTitle)) missing.push('refusalTitle');
  if (!(definition.action === 'anyone' || Object.hasOwn(ACTIONS, definition.action))) missing.push('action');
  if (typeof definition.parse !== 'function') missing.push('parse');
  if (typeof definition.handle !== 'function') missing.push('handle');
  return missing;
}

describe('the chat commands', () => {
  it('are each defined whole', () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(21);
    expect(COMMANDS.flatMap((d) => missingParts(d).map((part) => `${d.kind}: ${part}`))).toEqual([]);
    // The check sees a missing part.
    const broken = { ...reportCommand, usage: '', words: [], action: 'own.everything', handle: undefined } as unknown as CommandDefinition;
    expect(missingParts(broken)).toEqual(['words', 'usage', 'action', 'handle']);
  });

  it('have one kind each, and no word that starts two of them', () => {
    const kinds = COMMANDS.map((d) => d.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    const words = COMMANDS.flatMap((d) => d.words);
    expect(words.filter((w, i) => words.indexOf(w) !== i)).toEqual([]);
    expect(() => commandTable([reportCommand, { ...bindCommand, words: ['绑定', '汇报'] }])).toThrow(/汇报/);
    expect(() => commandTable([reportCommand, reportCommand])).toThrow(/report/);
  });

  it('open to anyone only 帮助: every other command is the policy’s to allow', () => {
    expect(COMMANDS.filter((d) => d.action === 'anyone').map((d) => d.kind)).toEqual(['help']);
  });

  it('are read, refused and shown from their own definitions', () => {
    for (const definition of COMMANDS) {
      // Each word, typed alone, is read as its command.
      for (const word of definition.words) expect([word, COMMAND_TABLE.kindOf(word)]).toEqual([word, definition.kind]);
      expect(definition.usage.startsWith(definition.words[0])).toBe(true);
      expect(COMMAND_TABLE.usage(definition.kind)).toBe(definition.usage);
      expect(COMMAND_TABLE.refusalTitle(definition.kind)).toBe(definition.refusalTitle);
    }
  });

  it('say what they read in a batch', () => {
    const member = { org_id: 'o1', branch_id: 'b1' } as Parameters<typeof COMMAND_TABLE.batchHint>[0];
    const reading = COMMANDS.filter((d) => d.reads?.roster).map((d) => d.kind);
    expect(reading.sort()).toEqual(
      ['attendance', 'backfill', 'checkin', 'leave', 'makeup', 'mine', 'minutes', 'register', 'remind', 'schedule', 'stats'].sort(),
    );
    expect(COMMANDS.filter((d) => COMMAND_TABLE.seesHeld({ kind: d.kind })).map((d) => d.kind)).toEqual(['report', 'checkin']);
    expect(COMMAND_TABLE.batchHint(member, { kind: 'checkin' })).toEqual({
      orgId: 'o1',
      branchId: 'b1',
      roster: true,
      checkinMeetings: true,
    });
    expect(COMMAND_TABLE.batchHint(member, { kind: 'checkin', code: 'K7Q' } as { kind: string })).toEqual({
      orgId: 'o1',
      branchId: 'b1',
      roster: true,
      checkinMeetings: false,
    });
    expect(COMMAND_TABLE.batchHint(member, { kind: 'weekly' })).toBeUndefined();
  });
});
