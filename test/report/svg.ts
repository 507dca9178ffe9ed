/** A minimal XML reader for checking vega's SVG: well-formedness, text and mark counts. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new Error(`unknown entity ${all}`);
    return v;
  });
}

/** Parses XML into a tree; throws on mismatched or unclosed tags, bad attributes or text outside the root. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  while ((m = token.exec(xml))) {
    const top = stack[stack.length - 1]!;
    if (m[6]) throw new Error(`stray "<" at offset ${m.index}`);
    if (m[1]) {
      if (top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top.name}> at offset ${m.index}`);
      stack.pop();
    } else if (m[2]) {
      const attrs: Record<string, string> = {};
      for (const a of (m[3] ?? '').matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]} on <${m[2]}>`);
        attrs[a[1]!] = decode(a[2] ?? a[3] ?? '');
      }
      const el: XmlElement = { name: m[2], attrs, children: [] };
      if (stack.length === 1 && root.children.some((c) => typeof c !== 'string')) throw new Error('more than one root element');
      top.children.push(el);
      if (!m[4]) stack.push(el);
    } else if (m[5]) {
      if (stack.length === 1 && m[5].trim()) throw new Error('text outside the root element');
      top.children.push(decode(m[5]));
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  const el = root.children.find((c): c is XmlElement => typeof c !== 'string');
  if (!el) throw new Error('no root element');
  return el;
}

export function* walk(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) if (typeof c !== 'string') yield* walk(c);
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

/** Every text element's content (multi-line tspans joined by a space). */
export function texts(svg: XmlElement): string[] {
  return [...walk(svg)].filter((e) => e.name === 'text').map((e) => e.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join(' ').trim());
}

/** The mark groups vega drew for a named Vega-Lite unit/layer (class "... role-mark <name>_marks"). */
export function markGroups(svg: XmlElement, name: string): XmlElement[] {
  return [...walk(svg)].filter((e) => e.name === 'g' && (e.attrs.class ?? '').split(' ').includes('role-mark') && (e.attrs.class ?? '').split(' ').includes(`${name}_marks`));
}

/** How many items (bars, symbols, lines, texts, rules) the mark groups of a name hold in total. */
export function markCount(svg: XmlElement, name: string): number {
  return markGroups(svg, name).reduce((n, g) => n + g.children.filter((c) => typeof c !== 'string').length, 0);
}

/** Visible items only: vega keeps labels it hid for overlap with opacity 0. */
export function visibleMarkCount(svg: XmlElement, name: string): number {
  return markGroups(svg, name).reduce((n, g) => n + g.children.filter((c) => typeof c !== 'string' && c.attrs.opacity !== '0').length, 0);
}
