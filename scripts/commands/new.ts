/**
 * `colophon new NAME`: a publication folder that builds at once, copied from
 * templates/scaffold/ with the name, layout and date filled in. Text files
 * take `{{placeholders}}`; everything else (the example image) is copied as is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option, type Command } from 'commander';
import { toolRoot } from '../util/package-dir.ts';
import { UsageError } from '../diagnostics.ts';
import { SLUG_RE, slugify } from '../load/schema.ts';
import { CommandError } from '../errors.ts';
import type { Io } from './io.ts';
import { SCHEMA_FILES } from './schema.ts';
import { displayPath } from './display.ts';

export const LAYOUTS = ['book', 'article'] as const;
export type Layout = (typeof LAYOUTS)[number];

export interface ScaffoldOptions {
  name: string;
  parent: string;
  layout: Layout;
  /** YYYY-MM-DD written into book.yaml; today by default. */
  date?: string;
}

const TEXT_FILE = /\.(ya?ml|md)$/i;

export function scaffold(options: ScaffoldOptions): { dir: string; files: string[] } {
  const { name, layout } = options;
  // The folder name becomes the slug of every output file, so it must already be one.
  if (!SLUG_RE.test(name)) {
    throw new UsageError(`"${name}" cannot name a publication: use lowercase letters, digits and hyphens, e.g. \`${slugify(name)}\`.`);
  }
  const dir = path.resolve(options.parent, name);
  if (fs.existsSync(dir)) throw new CommandError('FOLDER_EXISTS', `${displayPath(dir)} already exists; nothing was written.`);

  const values: Record<string, string> = {
    title: name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join(' '),
    slug: name,
    layout,
    date: options.date ?? new Date().toISOString().slice(0, 10),
    schema: schemaReference(dir),
  };
  const source = path.join(toolRoot(), 'templates', 'scaffold');
  const files: string[] = [];
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  // Fill a sibling folder and rename it into place, so a failure leaves nothing half-made.
  const staging = fs.mkdtempSync(path.join(path.dirname(dir), `.${name}-`));
  try {
    for (const rel of listFiles(source)) {
      const target = path.join(staging, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (TEXT_FILE.test(rel)) fs.writeFileSync(target, fill(fs.readFileSync(path.join(source, rel), 'utf8'), values));
      else fs.copyFileSync(path.join(source, rel), target);
      files.push(path.join(dir, rel));
    }
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { dir, files };
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}

function listFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

/** Relative when the publication sits inside this checkout (portable in a repository), else a file URL. */
function schemaReference(dir: string): string {
  const schema = path.join(toolRoot(), 'schema', SCHEMA_FILES.book);
  const rel = path.relative(dir, schema);
  return dir.startsWith(toolRoot() + path.sep) ? rel.split(path.sep).join('/') : pathToFileURL(schema).href;
}

export function registerNew(program: Command, io: Io): void {
  program
    .command('new')
    .description('create a publication folder with a commented book.yaml and two example chapters')
    .argument('<name>', 'folder name, also the slug of the output files (e.g. my-book)')
    .addOption(new Option('--layout <layout>', 'book or article').choices(LAYOUTS).default('book'))
    .option('--dir <dir>', 'folder to create the publication in', 'content')
    .action((name: string, flags: { layout: Layout; dir: string }) => {
      const { dir, files } = scaffold({ name, parent: flags.dir, layout: flags.layout });
      io.out(`Created ${displayPath(dir)}/\n`);
      for (const f of files) io.out(`  ${path.relative(dir, f)}\n`);
      io.out(`\nNext: npx colophon build ${displayPath(dir)}\n`);
    });
}
