import { XMLParser } from 'fast-xml-parser';

// WeCom's XML is flat (<xml><Tag>value</Tag>…</xml>). Entities and DTDs stay off: a body that
// declares any is refused outright, so nothing can expand.

export class XmlError extends Error {}

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
});

/** The children of <xml> as strings; throws XmlError on a DTD, an entity or malformed XML. */
export function parseFlatXml(text: string): Record<string, string> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlError('DTDs and entity declarations are refused');
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch {
    throw new XmlError('malformed XML');
  }
  const root = (doc as { xml?: unknown }).xml;
  if (!root || typeof root !== 'object') throw new XmlError('no <xml> root');
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(root)) {
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}

/** CDATA that survives `]]>` inside the text. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}
