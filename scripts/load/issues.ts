/**
 * Turns zod issues into diagnostics people can act on: the field as written
 * (`page.margins.top`), what was found instead, the line, and a hint taken
 * from the field's description or a "did you mean" for misspellings.
 */
import { z } from 'zod';
import type { Diagnostic } from '../diagnostics.ts';
import { didYouMean, quoteList } from './suggest.ts';
import { locate, type YamlSource } from './yaml-errors.ts';

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

export interface IssueContext {
  src: YamlSource;
  /** The parsed YAML data that was validated. */
  data: unknown;
  schema: Schema;
  invalidCode: string;
  unknownKeyCode: string;
  /** Other names for known keys, e.g. `lang` → `language`. */
  aliases?: Record<string, string>;
  /** Extra advice for an unknown top-level key, e.g. "this belongs in book.yaml". */
  unknownKeyHint?: (key: string) => string | undefined;
}

export function issueDiagnostics(issues: readonly Issue[], ctx: IssueContext): Diagnostic[] {
  // Zod reports in schema order; people read a file top to bottom.
  return issues
    .flatMap(flattenUnion)
    .flatMap((issue) => toDiagnostics(issue, ctx))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function toDiagnostics(issue: Issue, ctx: IssueContext): Diagnostic[] {
  const { src } = ctx;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(ctx.schema, issue.path);
    return issue.keys.map((key) => {
      const where = issue.path.length ? ` in \`${formatPath(issue.path)}\`` : '';
      const suggestion = didYouMean(key, known, issue.path.length ? {} : ctx.aliases);
      const hint =
        (suggestion && `did you mean \`${suggestion}\`?`) ||
        (issue.path.length === 0 && ctx.unknownKeyHint?.(key)) ||
        `known keys${where}: ${quoteList(known)}`;
      return {
        severity: 'error',
        code: ctx.unknownKeyCode,
        message: `unknown key \`${key}\`${where}`,
        file: src.file,
        ...locate(src, issue.path, key),
        hint,
      } satisfies Diagnostic;
    });
  }
  const found = valueAt(ctx.data, issue.path);
  const field = `\`${formatPath(issue.path)}\``;
  let message: string;
  let hint = descriptionAt(ctx.schema, issue.path);
  if (found.value === undefined) message = `${field} is required`;
  else if (found.value === null) message = `${field} is empty`;
  else if (issue.code === 'invalid_type') message = `${field} must be ${typeName(issue.expected)}, not ${describe(found.value)}`;
  else if (issue.code === 'invalid_union') message = `${field} ${issue.message}, not ${describe(found.value)}`;
  else if (issue.code === 'invalid_value') {
    const values = issue.values.map(String);
    message = `${field} must be one of ${quoteList(values)}, not \`${String(found.value)}\``;
    const suggestion = typeof found.value === 'string' ? didYouMean(found.value, values) : undefined;
    if (suggestion) hint = `did you mean \`${suggestion}\`?`;
  } else message = `${field} ${issue.message}`;
  return [
    {
      severity: 'error',
      code: ctx.invalidCode,
      message,
      file: src.file,
      ...locate(src, issue.path),
      ...(hint ? { hint } : {}),
    },
  ];
}

/**
 * A union reports every alternative that failed. When all but one failed only
 * because the value had the wrong type, the remaining alternative is what the
 * author meant, and its issues are the useful ones.
 */
function flattenUnion(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const live = issue.errors.filter((branch) => !branch.every(isTypeMismatch));
  if (live.length !== 1) return [issue];
  return live[0].flatMap((inner) => flattenUnion({ ...inner, path: [...issue.path, ...inner.path] } as Issue));
}

function isTypeMismatch(issue: Issue): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === 'invalid_type') return true;
  return issue.code === 'invalid_union' && issue.errors.every((branch) => branch.every(isTypeMismatch));
}

export function formatPath(path: readonly PathKey[]): string {
  return path.reduce<string>(
    (acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
    '',
  );
}

function valueAt(data: unknown, path: readonly PathKey[]): { value: unknown } {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return { value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return { value: cur };
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: '`true` or `false`',
  array: 'a list',
  object: 'a mapping of `key: value` lines',
  date: 'a date',
};
function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return `\`${value}\``;
  return `a ${typeof value}`;
}

// --- walking the schema along an issue path ---------------------------------

interface LooseDef {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  options?: Schema[];
  shape?: Record<string, Schema>;
  element?: Schema;
}
const defOf = (s: Schema) => s._zod.def as unknown as LooseDef;

/** A schema plus everything it wraps (optional, default, pipe, union…). */
function expand(s: Schema, out: Schema[] = []): Schema[] {
  out.push(s);
  const def = defOf(s);
  if (def.innerType) expand(def.innerType, out);
  if (def.type === 'pipe') for (const side of [def.in, def.out]) if (side) expand(side, out);
  if (def.type === 'union') for (const o of def.options ?? []) expand(o, out);
  return out;
}

function schemasAt(root: Schema, path: readonly PathKey[]): Schema[] {
  let current = expand(root);
  for (const seg of path) {
    const next: Schema[] = [];
    for (const s of current) {
      const def = defOf(s);
      if (def.type === 'object' && typeof seg === 'string' && def.shape?.[seg]) next.push(def.shape[seg]);
      if (def.type === 'array' && typeof seg === 'number' && def.element) next.push(def.element);
    }
    current = next.flatMap((s) => expand(s));
  }
  return current;
}

export function knownKeysAt(root: Schema, path: readonly PathKey[]): string[] {
  const keys = schemasAt(root, path).flatMap((s) => Object.keys(defOf(s).shape ?? {}));
  return [...new Set(keys)];
}

/** The description of the field at `path`, or of its closest described ancestor. */
function descriptionAt(root: Schema, path: readonly PathKey[]): string | undefined {
  for (let n = path.length; n > 0; n--) {
    for (const s of schemasAt(root, path.slice(0, n))) {
      const description = z.globalRegistry.get(s)?.description;
      if (description) return description;
    }
  }
  return undefined;
}
