import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SolodeskError } from '../errors.ts';

// WeChat's message XML (Official Account and WeCom callbacks, and the encrypted envelope around
// them), shared by both channels: one flat record of strings in, one `<xml>` document out.
// Values stay strings: MsgId is a 64-bit number that a JS number would round, and a parsed
// "0012" would lose its zeros.

/** Not a WeChat XML message: the caller answers 400. */
export class WechatXmlError extends SolodeskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('wechat_xml', message, options);
  }
}

export type WechatXmlRecord = Record<string, string>;

const parser = new XMLParser({
  ignoreAttributes: true,
  // Keep every value as the text WeChat sent (see above), CDATA merged into it.
  parseTagValue: false,
  trimValues: true,
  // A DOCTYPE is refused before parsing, so no entity but the five standard ones can appear.
  processEntities: true,
  htmlEntities: false,
});

/**
 * Parses `<xml>…</xml>` into a flat record: each child's text (CDATA or not) under its name. A
 * nested element (an event's ScanCodeInfo, SendLocationInfo) is flattened as `Parent.Child`;
 * a repeated element keeps its first value. Throws WechatXmlError on anything else.
 */
export function parseWechatXml(text: string): WechatXmlRecord {
  // Entity declarations are the classic XML attack (billion laughs); WeChat never sends one.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new WechatXmlError('WeChat XML has no DOCTYPE; refused');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new WechatXmlError(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch (error) {
    throw new WechatXmlError('not well-formed XML', { cause: error });
  }
  const root = (document as Record<string, unknown> | undefined)?.['xml'];
  if (root === undefined) throw new WechatXmlError('not a WeChat message: no <xml> root');
  const record: WechatXmlRecord = {};
  // `<xml></xml>` parses as an empty string: an empty record, which the caller judges.
  if (typeof root === 'object' && root !== null) flatten(root as Record<string, unknown>, '', record);
  return record;
}

function flatten(node: Record<string, unknown>, prefix: string, into: WechatXmlRecord): void {
  for (const [name, raw] of Object.entries(node)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    const key = prefix + name;
    if (value !== null && typeof value === 'object') flatten(value as Record<string, unknown>, `${key}.`, into);
    else into[key] = value === undefined || value === null ? '' : String(value);
  }
}

const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Builds `<xml><Name><![CDATA[value]]></Name>…</xml>`. Strings go in CDATA (a `]]>` inside is
 * split across two sections), numbers bare, as WeChat writes CreateTime.
 */
export function buildWechatXml(fields: Record<string, string | number>): string {
  let body = '';
  for (const [name, value] of Object.entries(fields)) {
    if (!ELEMENT_NAME.test(name)) throw new WechatXmlError(`"${name}" is not an XML element name`);
    const inner = typeof value === 'number' ? String(value) : `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
    body += `<${name}>${inner}</${name}>`;
  }
  return `<xml>${body}</xml>`;
}
