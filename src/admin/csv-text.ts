import { chineseField } from './chinese.ts';

// The text of an uploaded CSV, as secretaries save it: Excel's "CSV UTF-8" (with a BOM), plain
// UTF-8, or Excel's "CSV" on Chinese Windows (GB18030/GBK). The encoding is told from the bytes by
// strict decoding, never from a flag; bytes that are neither are refused, never imported as
// mojibake. No library: TextDecoder (ICU) decodes both strictly, which is all the detection needs.

const UTF8_BOM = [0xef, 0xbb, 0xbf];

// UTF-8 text that holds Latin-1 letters where Chinese was meant (张 read as Latin-1 and saved again
// is 「å¼ 」): Latin-1 letters other than the middle dot of transliterated names (买买提·艾力).
const MOJIBAKE = /[\u0080-\u00b6\u00b8-\u00ff]/u;

const REFUSED = '既不是 UTF-8 也不是 GB18030（GBK）编码，请在 Excel 中另存为「CSV UTF-8」后重新导入';
const MOJIBAKED = '本应是汉字的地方是乱码（文件曾按别的编码打开又保存），请用 Excel 打开原表格，另存为「CSV UTF-8」后重新导入';

/** The CSV's text, its encoding detected; a 400 on `body`, in Chinese, when it is neither encoding. */
export function csvText(bytes: Uint8Array): string {
  const hasBom = UTF8_BOM.every((b, i) => bytes[i] === b);
  const utf8 = strictly('utf-8', hasBom ? bytes.subarray(3) : bytes);
  if (utf8 !== null) {
    if (MOJIBAKE.test(utf8)) throw chineseField('body', MOJIBAKED);
    return utf8;
  }
  const gb = hasBom ? null : strictly('gb18030', bytes);
  if (gb === null) throw chineseField('body', REFUSED);
  return gb;
}

function strictly(encoding: string, bytes: Uint8Array): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}
