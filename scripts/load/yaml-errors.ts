/**
 * YAML parsing that keeps source positions, so every problem — a syntax error
 * or a schema violation found later on the plain data — points at the line a
 * person has to edit.
 */
import { isAlias, isCollection, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLError } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';

export interface YamlSource {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Added to every line: 1 for front matter, whose YAML starts after the opening `---`. */
  lineOffset: number;
  /** Display path of the file the YAML came from. */
  file: string;
}

export interface Position {
  line?: number;
  column?: number;
}

export function parseYaml(text: string, file: string, lineOffset = 0): YamlSource {
  const lineCounter = new LineCounter();
  // prettyErrors would append a code frame to the message; we report line and column instead.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  return { doc, lineCounter, lineOffset, file };
}

export function positionAt(src: YamlSource, offset: number): Position {
  const { line, col } = src.lineCounter.linePos(offset);
  return { line: line + src.lineOffset, column: col };
}

const SYNTAX_HINTS: Partial<Record<string, string>> = {
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
  DUPLICATE_KEY: 'each key may appear only once; remove or merge the repeated one',
  MULTIPLE_DOCS: 'keep a single YAML document: remove the extra `---` line',
  BLOCK_AS_IMPLICIT_KEY:
    'a value here contains `: ` (put it in quotes), or the next line is indented further than this one (give keys of the same level the same indentation)',
};
const GENERIC_SYNTAX_HINT =
  'check the indentation, and put values that contain `: ` or ` #`, or that start with `[`, `{`, `*`, `&`, `!`, `|`, `>`, `%` or `@`, in quotes';

const UNCLOSED_FLOW_HINT =
  'close the list with `]` (or the mapping with `}`) on the same line, or write one item per line as `  - item`';

export function syntaxDiagnostics(src: YamlSource, code: string): Diagnostic[] {
  const seenLines = new Set<number | undefined>();
  const diagnostics: Diagnostic[] = [];
  for (const err of src.doc.errors) {
    const opened = unclosedFlowStart(src, err);
    const position = positionAt(src, opened ?? err.pos[0]);
    // One mistake often trips several parser rules at the same place; the first says it best.
    if (seenLines.has(position.line)) continue;
    seenLines.add(position.line);
    diagnostics.push({
      severity: 'error',
      code,
      message: `invalid YAML: ${err.message.replace(/\s+/g, ' ').replace(/[ .]+$/, '')}`,
      file: src.file,
      ...position,
      hint: opened !== undefined ? UNCLOSED_FLOW_HINT : (SYNTAX_HINTS[err.code] ?? GENERIC_SYNTAX_HINT),
    });
  }
  return diagnostics;
}

/**
 * An unclosed `[` or `{` is noticed only where the next line starts (or past
 * the end of the file); the line to fix is the one with the opening bracket.
 */
function unclosedFlowStart(src: YamlSource, err: YAMLError): number | undefined {
  if (!/end with a [\]}]/.test(err.message)) return undefined;
  let start: number | undefined;
  visit(src.doc, {
    Node(_, node) {
      const at = node.range?.[0];
      if (isCollection(node) && node.flow && at !== undefined && at < err.pos[0] && (start === undefined || at > start)) start = at;
    },
  });
  return start;
}

/**
 * Plain data for validation. Numbers keep the text they were written as: every
 * field is text, and `isbn: 0306406152` or `title: 1.50` must not lose digits.
 */
export function toData(src: YamlSource): unknown {
  visit(src.doc, {
    Scalar(_, node) {
      if (typeof node.value === 'number' && node.source !== undefined && !node.tag) node.value = node.source;
    },
  });
  return src.doc.toJS() ?? {};
}

/** The document's top-level node, unless it is empty (only comments). */
export function rootNode(src: YamlSource): Node | undefined {
  const root = src.doc.contents;
  return root && !(isScalar(root) && root.value === null) ? root : undefined;
}

export function isMapping(src: YamlSource): boolean {
  const root = rootNode(src);
  return root === undefined || isMap(root);
}

/**
 * Where `path` is written. A key path points at the key (`title:`), an index
 * at the list item. If the path does not exist (a missing key), the nearest
 * existing ancestor is used; with `key`, the position of that key inside the
 * mapping at `path` (for unknown keys).
 */
export function locate(src: YamlSource, path: readonly PropertyKey[], key?: string): Position {
  let node: unknown = src.doc.contents;
  let found: Node | undefined;
  const segments = key === undefined ? path : [...path, key];
  for (const seg of segments) {
    if (isAlias(node)) node = node.resolve(src.doc);
    if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (!isNodeLike(node)) break;
      found = node;
    } else if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair || !isNodeLike(pair.key)) break;
      found = pair.key;
      node = pair.value;
    } else {
      // The data has another shape than the path expects (a scalar where a
      // mapping should be): the nearest ancestor is the best place to point at.
      break;
    }
  }
  const start = found?.range?.[0];
  return start === undefined ? {} : positionAt(src, start);
}

function isNodeLike(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && 'range' in v;
}
