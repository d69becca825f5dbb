/**
 * The theme: Handlebars templates, partials and stylesheets from `templates/`,
 * where a publication may override any file by placing one of the same name in
 * its own `templates/` folder. One isolated Handlebars instance per build, and
 * templates compiled strict, so a missing field is an error in the theme
 * rather than a blank on page 40.
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { ContentError } from '../diagnostics.ts';
import type { FontFamilySpec } from '../fonts/font-faces.ts';

export interface Theme {
  /** Render `layouts/<name>.hbs` with `data`. */
  render(layout: string, data: object): string;
  /** Contents of a theme file (CSS, EJS…), with publication overrides applied. */
  file(relPath: string): string;
  /** Absolute path of a theme file, with publication overrides applied. */
  filePath(relPath: string): string;
  fonts: FontFamilySpec[];
  /** Language strings, already merged over English. */
  strings(lang: string): Record<string, string>;
}

export function loadTheme(toolRoot: string, publicationDir: string, display: (p: string) => string): Theme {
  const roots = [path.join(publicationDir, 'templates'), path.join(toolRoot, 'templates')];
  const filePath = (rel: string): string => {
    for (const r of roots) {
      const p = path.join(r, rel);
      if (fs.existsSync(p)) return p;
    }
    throw new ContentError([
      { severity: 'error', code: 'THEME_FILE_MISSING', message: `The theme has no file "${rel}".`, file: display(roots[1]) },
    ]);
  };
  const file = (rel: string) => fs.readFileSync(filePath(rel), 'utf8');

  const hb = Handlebars.create();
  const partialNames = new Set<string>();
  for (const r of [...roots].reverse()) {
    const dir = path.join(r, 'partials');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.hbs')) partialNames.add(f.slice(0, -4));
  }
  const compileFile = (rel: string) => {
    const abs = filePath(rel);
    const source = fs.readFileSync(abs, 'utf8');
    // Handlebars compiles lazily; parsing now makes syntax errors surface at
    // once, naming the file, and the tree it gives is what gets compiled.
    let ast: hbs.AST.Program;
    try {
      ast = hb.parse(source);
    } catch (error) {
      throw templateError(abs, error, display);
    }
    // A `{{> name}}` whose partial does not exist fails only when rendered, and names the layout; catch it here.
    for (const { name, line } of partialCalls(ast)) {
      if (!partialNames.has(name)) {
        throw new ContentError([
          {
            severity: 'error',
            code: 'TEMPLATE_ERROR',
            message: `Template problem: the partial "${name}" does not exist`,
            file: display(abs),
            line,
            hint: `partials are the .hbs files in templates/partials/: ${[...partialNames].sort().join(', ')}`,
          },
        ]);
      }
    }
    return { tpl: hb.compile(ast, { strict: true }), abs };
  };
  for (const name of partialNames) hb.registerPartial(name, compileFile(`partials/${name}.hbs`).tpl);
  registerHelpers(hb);

  const stringsCache = new Map<string, Record<string, string>>();
  const strings = (lang: string) => {
    const primary = lang.toLowerCase().split('-')[0];
    let s = stringsCache.get(primary);
    if (!s) {
      const base = JSON.parse(file('i18n/en.json')) as Record<string, string>;
      let own: Record<string, string> = {};
      try {
        own = JSON.parse(file(`i18n/${primary}.json`)) as Record<string, string>;
      } catch (e) {
        if (!(e instanceof ContentError)) throw e;
      }
      s = { ...base, ...own };
      stringsCache.set(primary, s);
    }
    return s;
  };

  const layouts = new Map<string, ReturnType<typeof compileFile>>();
  return {
    render(layout, data) {
      let entry = layouts.get(layout);
      if (!entry) {
        entry = compileFile(`layouts/${layout}.hbs`);
        layouts.set(layout, entry);
      }
      try {
        return entry.tpl(data);
      } catch (error) {
        throw templateError(entry.abs, error, display);
      }
    },
    file,
    filePath,
    fonts: (JSON.parse(file('theme.json')) as { fonts: FontFamilySpec[] }).fonts,
    strings,
  };
}

function templateError(abs: string, error: unknown, display: (p: string) => string): ContentError {
  const message = error instanceof Error ? error.message : String(error);
  // "Parse error on line 2:" or "each doesn't match if - 3:9".
  const line = (/line (\d+)/i.exec(message) ?? / - (\d+):\d+$/m.exec(message))?.[1];
  return new ContentError(
    [
      {
        severity: 'error',
        code: 'TEMPLATE_ERROR',
        message: `Template problem: ${message.split('\n')[0]}`,
        file: display(abs),
        line: line ? Number(line) : undefined,
        hint: 'Check the template against the fields listed in templates/README.md.',
      },
    ],
    { cause: error },
  );
}

function registerHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper('not', (a: unknown) => !a);
}

/** Partials called by a literal name (`{{> name}}`, `{{#> name}}`), with their lines. */
function partialCalls(ast: hbs.AST.Program): { name: string; line: number }[] {
  const calls: { name: string; line: number }[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; name?: { type?: string; original?: unknown }; loc?: { start: { line: number } } };
    if ((n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') && n.name?.type === 'PathExpression' && typeof n.name.original === 'string') {
      calls.push({ name: n.name.original, line: n.loc?.start.line ?? 0 });
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object' && value !== n.loc) visit(value);
    }
  };
  visit(ast);
  return calls;
}
