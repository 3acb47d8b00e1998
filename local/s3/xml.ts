import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * S3's small XML documents (configurations, DeleteObjects lists, errors) through fast-xml-parser, seen
 * as a plain element tree. Namespace prefixes are dropped and attributes (only `xmlns` in practice)
 * ignored. The parser is held to what S3 takes: one root, only XML's own entities, no DTD (so no entity
 * expansion can be smuggled in).
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

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Decodes numeric character references; named HTML entities never get this far (see NOT_XML_ENTITY).
  htmlEntities: true,
});

/** An entity reference that is not one of XML's five or a character reference, outside CDATA. */
const NOT_XML_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)[^;\s]*;?/;
const CDATA = /<!\[CDATA\[[\s\S]*?\]\]>/g;

/** fast-xml-parser's ordered output: `{ name: children, ':@'?: attributes }` or `{ '#text': text }`. */
type OrderedNode = Readonly<Record<string, unknown>>;

const TEXT = '#text';

const elementOf = (name: string, nodes: readonly OrderedNode[]): XmlElement => {
  const children: XmlElement[] = [];
  let text = '';
  for (const node of nodes) {
    if (TEXT in node) text += String(node[TEXT]);
    else children.push(elementOfNode(node));
  }
  return { name, children, text };
};

const elementOfNode = (node: OrderedNode): XmlElement => {
  const name = Object.keys(node).find((key) => key !== ':@') ?? '';
  return elementOf(name, node[name] as OrderedNode[]);
};

/** Parses a whole document and returns its root element. */
export const parseXml = (source: string): XmlElement => {
  if (source.includes('<!DOCTYPE')) throw new MalformedXmlError('DTDs are not allowed');
  const valid = XMLValidator.validate(source);
  if (valid !== true) throw new MalformedXmlError(`${valid.err.msg} (line ${valid.err.line})`);
  const unknownEntity = NOT_XML_ENTITY.exec(source.replace(CDATA, ''));
  if (unknownEntity) throw new MalformedXmlError(`unknown entity ${unknownEntity[0]}`);
  const roots = (parser.parse(source) as OrderedNode[]).filter((node) => !(TEXT in node));
  const [root] = roots;
  if (!root) throw new MalformedXmlError('no root element');
  if (roots.length > 1) throw new MalformedXmlError('content after the root element');
  return elementOfNode(root);
};

/** The child elements called `name`. */
export const childrenNamed = (element: XmlElement, name: string): XmlElement[] =>
  element.children.filter((child) => child.name === name);

/** The trimmed text of the first child called `name`, or undefined when there is none. */
export const childText = (element: XmlElement, name: string): string | undefined =>
  element.children.find((child) => child.name === name)?.text.trim();

/**
 * Element content to write: text, nested elements, or a list (one element per item, in order). Key
 * order is element order. An empty list writes no element.
 */
export interface XmlContent {
  readonly [name: string]: string | XmlContent | readonly (string | XmlContent)[];
}

/** The namespace of S3's answers. */
export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false, processEntities: true });

/**
 * A whole S3 answer, on one line after the declaration as S3 writes it:
 * `<?xml version="1.0" encoding="UTF-8"?>\n<Root xmlns="…">…</Root>`. Text is escaped (`& < > " '`).
 */
export const xmlDocument = (
  root: string,
  content: XmlContent,
  options: { namespace?: string } = {},
): string => {
  const body = options.namespace === undefined ? content : { '@_xmlns': options.namespace, ...content };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: body })}`;
};
