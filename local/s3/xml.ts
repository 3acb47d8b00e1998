/**
 * Just enough XML for S3's small configuration documents: elements, text, CDATA, the predefined and
 * numeric entities. Attributes (only `xmlns` in practice) are read past, namespace prefixes dropped.
 * DTDs are refused, so no entity expansion can be smuggled in.
 */

/** One element: its local name, child elements in order, and its own text (entities decoded). */
export interface XmlElement {
  readonly name: string;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

/** The body is not well-formed XML (S3 answers `MalformedXML`). */
export class MalformedXmlError extends Error {
  override readonly name = 'MalformedXmlError';
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const decodeEntities = (text: string): string =>
  text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    const value = ENTITIES[entity];
    if (value === undefined) throw new MalformedXmlError(`unknown entity ${whole}`);
    return value;
  });

/** Escapes text for an element's content or an attribute value. */
export const escapeXml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const NAME = /[A-Za-z_][\w.:-]*/y;

class Parser {
  #at = 0;
  constructor(readonly source: string) {}

  document(): XmlElement {
    this.#misc();
    if (this.source[this.#at] !== '<') throw new MalformedXmlError('no root element');
    const root = this.#element();
    this.#misc();
    if (this.#at !== this.source.length) throw new MalformedXmlError('content after the root element');
    return root;
  }

  /** Skips whitespace, comments and processing instructions between elements. */
  #misc(): void {
    for (;;) {
      while (/\s/.test(this.source[this.#at] ?? '')) this.#at++;
      if (this.source.startsWith('<?', this.#at)) this.#skipPast('?>');
      else if (this.source.startsWith('<!--', this.#at)) this.#skipPast('-->');
      else if (this.source.startsWith('<!DOCTYPE', this.#at))
        throw new MalformedXmlError('DTDs are not allowed');
      else return;
    }
  }

  #skipPast(end: string): void {
    const index = this.source.indexOf(end, this.#at);
    if (index < 0) throw new MalformedXmlError(`missing ${end}`);
    this.#at = index + end.length;
  }

  #name(): string {
    NAME.lastIndex = this.#at;
    const match = NAME.exec(this.source);
    if (!match) throw new MalformedXmlError(`a name was expected at offset ${this.#at}`);
    this.#at += match[0].length;
    return match[0];
  }

  /** The offset of the `>` ending a start tag, reading past quoted attribute values. */
  #tagEnd(qualified: string): number {
    let quote: string | undefined;
    for (let index = this.#at; index < this.source.length; index++) {
      const char = this.source[index];
      if (quote) {
        if (char === quote) quote = undefined;
      } else if (char === '"' || char === "'") quote = char;
      else if (char === '>') return index;
      else if (char === '<') break;
    }
    throw new MalformedXmlError(`unclosed tag <${qualified}`);
  }

  #element(): XmlElement {
    this.#at++;
    const qualified = this.#name();
    const close = this.#tagEnd(qualified);
    const selfClosing = this.source[close - 1] === '/';
    this.#at = close + 1;
    const name = qualified.slice(qualified.indexOf(':') + 1);
    if (selfClosing) return { name, children: [], text: '' };
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const next = this.source.indexOf('<', this.#at);
      if (next < 0) throw new MalformedXmlError(`<${qualified}> is never closed`);
      text += decodeEntities(this.source.slice(this.#at, next));
      this.#at = next;
      if (this.source.startsWith('</', this.#at)) {
        this.#at += 2;
        if (this.#name() !== qualified)
          throw new MalformedXmlError(`mismatched closing tag for <${qualified}>`);
        while (/\s/.test(this.source[this.#at] ?? '')) this.#at++;
        if (this.source[this.#at] !== '>') throw new MalformedXmlError(`bad closing tag for <${qualified}>`);
        this.#at++;
        return { name, children, text };
      }
      if (this.source.startsWith('<![CDATA[', this.#at)) {
        const end = this.source.indexOf(']]>', this.#at);
        if (end < 0) throw new MalformedXmlError('unterminated CDATA section');
        text += this.source.slice(this.#at + 9, end);
        this.#at = end + 3;
      } else if (this.source.startsWith('<!--', this.#at) || this.source.startsWith('<?', this.#at)) {
        this.#skipPast(this.source.startsWith('<!--', this.#at) ? '-->' : '?>');
      } else {
        children.push(this.#element());
      }
    }
  }
}

/** Parses a whole document and returns its root element. */
export const parseXml = (source: string): XmlElement => new Parser(source).document();

/** The child elements called `name`. */
export const childrenNamed = (element: XmlElement, name: string): XmlElement[] =>
  element.children.filter((child) => child.name === name);

/** The trimmed text of the first child called `name`, or undefined when there is none. */
export const childText = (element: XmlElement, name: string): string | undefined =>
  element.children.find((child) => child.name === name)?.text.trim();
