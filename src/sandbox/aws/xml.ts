/**
 * Just enough XML writing for query-protocol answers. Lists carry the member
 * element name AWS uses (`<DBSnapshots><DBSnapshot>…`), which the SDK's
 * deserializer relies on.
 */
export type XmlValue = string | number | boolean | Date | XmlObject | XmlList | undefined;
export interface XmlObject {
  [key: string]: XmlValue;
}

export class XmlList {
  constructor(
    readonly member: string,
    readonly items: XmlValue[],
  ) {}
}

export function xmlList(member: string, items: XmlValue[]): XmlList {
  return new XmlList(member, items);
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function content(value: Exclude<XmlValue, undefined>): string {
  if (value instanceof XmlList) return value.items.map((item) => element(value.member, item)).join('');
  // AWS query timestamps are ISO 8601 with milliseconds, in UTC.
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([key, v]) => element(key, v))
      .join('');
  }
  return escapeXml(String(value));
}

/** `<name>…</name>`; an undefined value leaves the element out, as AWS omits absent members. */
export function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  return `<${name}>${content(value)}</${name}>`;
}
