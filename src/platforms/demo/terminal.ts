import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { markdownToText } from '../../domain/markdown.ts';
import type { SendResult } from '../shared/send-result.ts';

// The terminal demo's platform: each push is printed where the demo runs, as who would receive it
// and what they would read; a file is written to a folder and named with its size. Nothing leaves
// the process.

/** Where the demo shows its pushes. */
export interface DemoTerminal {
  write(text: string): void;
  /** The folder the files it would send are written to. */
  fileDir: string;
}

/** One push as the terminal shows it. */
export interface TerminalPush {
  /** Who receives it: 群「第一党支部」 or 张三（m1）. */
  to: string;
  private: boolean;
  title: string;
  markdown: string;
  /** Names @-mentioned, as the platforms append them. */
  mentions: string[];
  file?: { name: string; bytes: Buffer };
}

/** 2.4 KB, 812 字节. */
function sizeOf(bytes: number): string {
  return bytes < 1024 ? `${bytes} 字节` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Prints `push` (a file: written first, then named with its size and path). */
export async function showPush(terminal: DemoTerminal, push: TerminalPush): Promise<SendResult> {
  const how = push.private ? `私信给 ${push.to}` : `推送到${push.to}`;
  if (push.file) {
    // A branch's name is the admin's text: a slash in it must not lead out of the folder.
    const path = join(terminal.fileDir, push.file.name.replace(/[/\\]/g, '_'));
    await mkdir(terminal.fileDir, { recursive: true });
    await writeFile(path, push.file.bytes);
    terminal.write(`\n── ${how}：文件「${push.file.name}」（${sizeOf(push.file.bytes.length)}），已写入 ${path}\n\n`);
    return { delivered: true };
  }
  const mentions = push.mentions.length ? `\n${push.mentions.map((name) => `@${name}`).join(' ')}` : '';
  terminal.write(`\n── ${how}：${push.title}\n${markdownToText(push.markdown)}${mentions}\n\n`);
  return { delivered: true };
}
