import type { Db, MeetingNoteTable } from './schema.ts';

export async function insertNote(db: Db, note: MeetingNoteTable): Promise<void> {
  await db.insertInto('meeting_notes').values(note).execute();
}

export async function listNotes(db: Db, meetingId: string): Promise<MeetingNoteTable[]> {
  return db.selectFrom('meeting_notes').selectAll().where('meeting_id', '=', meetingId).orderBy('at').orderBy('id').execute();
}
