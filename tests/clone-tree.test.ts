/**
 * cloneTree: each edition's copy of a parsed chapter equals the chapter
 * (as structuredClone's copy does) and can be changed without touching it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Element, Root, Text } from 'hast';
import { visit } from 'unist-util-visit';
import { describe, expect, it } from 'vitest';
import { cloneTree } from '../scripts/parse/hast-helpers.ts';
import { parseChapter } from '../scripts/parse/parse-chapter.ts';
import { FIXTURES } from './helpers/build.ts';

function parsed(file: string): Root {
  const body = fs.readFileSync(file, 'utf8').replace(/^---\n[\s\S]*?\n---\n/, '');
  return parseChapter(
    { file, relPath: path.basename(file), frontMatter: {}, body, bodyStartLine: 1 },
    { publicationDir: path.dirname(file), bookLanguage: 'en', index: 0, displayPath: (p) => p },
  ).chapter.tree;
}

const SAMPLER = path.join(FIXTURES, 'multilingual');
const files = fs.readdirSync(SAMPLER).filter((f) => f.endsWith('.md')).map((f) => path.join(SAMPLER, f));

describe('cloneTree', () => {
  it('copies every chapter of the multilingual sampler as structuredClone does', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const tree = parsed(file);
      expect(cloneTree(tree)).toEqual(structuredClone(tree));
    }
  });

  it('gives a copy whose nodes, properties and property lists change alone', () => {
    const tree = parsed(files[0]);
    const before = structuredClone(tree);
    const copy = cloneTree(tree);
    visit(copy, 'element', (node: Element) => {
      node.properties.dataMark = 'x';
      if (Array.isArray(node.properties.className)) node.properties.className.push('changed');
      node.children.push({ type: 'text', value: '!' });
    });
    visit(copy, 'text', (node: Text) => {
      node.value += '?';
    });
    copy.children.length = 0;
    expect(tree).toEqual(before);
  });
});
