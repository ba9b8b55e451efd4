import { html } from 'hono/html';
import type { MeetingWithEvidence } from '../../../../db/meetings.ts';
import type { MeetingRecord } from '../../../render/meeting-record.ts';
import { meetingState, stateText } from '../../../domain/meetings.ts';
import { recordRows } from '../../../render/record-docx.ts';
import { formatLocal, periodRange, quarterKey, quarterOfKey } from '../../../domain/time.ts';
import { MEETING_LABELS } from '../../../domain/vocabulary.ts';
import { type BranchFrame, type Html, branchPage, page } from '../layout.ts';

// A branch's meetings, a 会议记录 that prints on A4, and the page of the 台账 files.

export interface MeetingsModel {
  frame: BranchFrame;
  rows: { code: string; type: string; topic: string; time: string; location: string; state: string; present: number; recordHref: string }[];
}

export function meetingsModel(input: {
  frame: BranchFrame;
  path: string;
  meetings: MeetingWithEvidence[];
  now: number;
  tz: string;
  checkinCloses: number;
}): MeetingsModel {
  const { now, tz } = input;
  return {
    frame: input.frame,
    rows: input.meetings.map((m) => ({
      code: m.code,
      type: MEETING_LABELS[m.type],
      topic: m.topic ?? '',
      time: formatLocal(m.starts_at, tz, now),
      location: m.location ?? '',
      state: stateText(m, meetingState(m, now, input.checkinCloses)),
      present: m.present,
      recordHref: `${input.path}/meetings/${m.code}`,
    })),
  };
}

export function meetingsView(m: MeetingsModel): Html {
  return branchPage(
    m.frame,
    '会议',
    html`<div class="card">
        ${
          m.rows.length
            ? html`<div class="table-wrap"><table>
                <tr><th>编号</th><th>类型</th><th>议题</th><th>时间</th><th>地点</th><th>状态</th><th class="num">到会</th><th></th></tr>
                ${m.rows.map(
                  (r) => html`<tr>
                    <td>${r.code}</td>
                    <td>${r.type}</td>
                    <td class="text">${r.topic}</td>
                    <td>${r.time}</td>
                    <td class="text">${r.location}</td>
                    <td>${r.state}</td>
                    <td class="num">${r.present}</td>
                    <td><a href="${r.recordHref}">会议记录</a></td>
                  </tr>`,
                )}
              </table></div>`
            : html`<p class="muted">近一年没有会议。书记在群里发送「安排 支委会 明天下午3点」即可安排。</p>`
        }
      </div>`,
  );
}

export interface RecordModel {
  frame: BranchFrame;
  typeLabel: string;
  code: string;
  docxHref: string;
  rows: [string, string[]][];
}

export function recordModel(input: { frame: BranchFrame; record: MeetingRecord; startsAt: number; tz: string; path: string }): RecordModel {
  const { record } = input;
  return {
    frame: input.frame,
    typeLabel: record.typeLabel,
    code: record.code,
    docxHref: `${input.path}/record.docx`,
    rows: recordRows(record, { branch: input.frame.branchName, startsAt: input.startsAt, tz: input.tz }),
  };
}

export function recordView(m: RecordModel): Html {
  return page({
    title: `${m.typeLabel}记录 ${m.code}`,
    viewer: m.frame.viewer,
    tabs: m.frame.tabs,
    scripts: ['console.js'],
    body: html`<div class="noprint crumbs">${m.frame.branchName} · 编号 ${m.code}</div>
      <div class="noprint actions">
        <button type="button" data-print>打印</button>
        <a class="button" href="${m.docxHref}">下载 Word</a>
      </div>
      <article class="card record">
        <h1 class="record-title">${m.typeLabel}记录</h1>
        <table class="record-table kv">
          ${m.rows.map(([label, lines]) => html`<tr><th>${label}</th><td>${lines.map((l) => html`<div>${l}</div>`)}</td></tr>`)}
        </table>
      </article>`,
  });
}

export interface ExportsModel {
  frame: BranchFrame;
  path: string;
  /** This quarter and the two before, newest first. */
  quarters: { key: string; label: string }[];
}

export function exportsModel(input: { frame: BranchFrame; path: string; now: number; tz: string }): ExportsModel {
  const { now, tz } = input;
  const quarters = [
    now,
    periodRange('quarter', now, tz).from - 1,
    periodRange('quarter', periodRange('quarter', now, tz).from - 1, tz).from - 1,
  ].map((ms) => ({ key: quarterKey(ms, tz), label: quarterOfKey(quarterKey(ms, tz), tz)!.label }));
  return { frame: input.frame, path: input.path, quarters };
}

export function exportsView(m: ExportsModel): Html {
  return branchPage(
    m.frame,
    '导出',
    html`<div class="card">
        <h2>三会一课台账（Excel）</h2>
        <p class="muted">会议、出勤、请假与补学、四服务汇报、五同五张表，可直接交检查。</p>
        <ul class="downloads">
          ${m.quarters.map((q) => html`<li><a href="${m.path}/ledger.xlsx?quarter=${q.key}" download>${q.label}三会一课台账</a></li>`)}
        </ul>
      </div>
      <div class="card">
        <h2>会议记录（Word）</h2>
        <p class="muted">在「会议」中打开一次会议，可打印或下载它的会议记录。</p>
        <p><a href="${m.path}/meetings">查看会议</a></p>
      </div>`,
  );
}
