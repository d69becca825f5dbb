/**
 * The byte-level reader the merge splices with: it finds every reference and
 * nothing that only looks like one, and refuses what it does not read.
 */
import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { UnreadablePdf, readObjects, referencesOf, renumbered } from '../scripts/paginate/pdf-objects.ts';

/** A PDF of the given object bodies (numbered from 1) with a correct classic cross-reference table. */
function pdfOf(bodies: string[], trailer = ''): Uint8Array {
  let out = '%PDF-1.7\n';
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<</Size ${bodies.length + 1} /Root 1 0 R${trailer}>>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('readObjects', () => {
  const data = 'BT (2 0 R) Tj ET\nendobj 3 0 R';
  const pdf = readObjects(
    pdfOf([
      '<</Type /Catalog /Pages 2 0 R>>',
      '<</Type /Pages /Kids [3 0 R] /Count 1 /Res <</F1 4 0 R /G2 <</X 5 0 R>>>>>>',
      // Strings (with escaped and nested parentheses), hex strings, comments and names that hold digits are not references.
      `<</T (a \\) 2 0 R (nested 4 0 R) x) /H <3120302052> /N1 /F2 % 5 0 R\n /Real 1.5 0 R /K [2 0 R 4 0 R] /ID (x)>>`,
      // The stream is not read, even where it says endobj.
      `<</Length ${data.length}>> stream\n${data}\nendstream`,
      '[4 0 R 12 7 R]',
    ]),
  );

  it('finds each object and the references in it, and only those', () => {
    expect([...pdf.objects.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(pdf.root).toBe(1);
    const refs = (n: number) => referencesOf(pdf, pdf.objects.get(n)!);
    expect(refs(1)).toEqual([2]);
    expect(refs(2)).toEqual([3, 4, 5]);
    expect(refs(3)).toEqual([2, 4]);
    expect(refs(4)).toEqual([]);
    expect(refs(5)).toEqual([4, 12]);
    // An /ID key marks an object whose ids a merge renames.
    expect(pdf.objects.get(3)!.names).toBe(true);
    expect(pdf.objects.get(2)!.names).toBe(false);
  });

  it('renumbers references and leaves a stream where it is', () => {
    const to = (n: number) => n + 100;
    expect(text(renumbered(pdf, pdf.objects.get(5)!, to))).toBe('[104 0 R 112 0 R]');
    const stream = pdf.objects.get(4)!;
    expect(text(renumbered(pdf, stream, to)).trim()).toBe(`<</Length ${data.length}>>`);
    expect(text(pdf.bytes.subarray(stream.dictEnd, stream.end))).toBe(`stream\n${data}\nendstream`);
  });

  it('refuses a cross-reference stream, an updated or encrypted file, and a table that is wrong', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const streams = await doc.save({ useObjectStreams: true });
    expect(() => readObjects(streams)).toThrow(UnreadablePdf);
    expect(() => readObjects(pdfOf(['<<>>'], ' /Prev 9'))).toThrow(UnreadablePdf);
    expect(() => readObjects(pdfOf(['<<>>'], ' /Encrypt 1 0 R'))).toThrow(UnreadablePdf);
    const shifted = pdfOf(['<<>>', '<<>>']);
    const moved = Buffer.from(shifted).toString('latin1').replace('2 0 obj', '3 0 obj');
    expect(() => readObjects(new Uint8Array(Buffer.from(moved, 'latin1')))).toThrow(/object 2 is not where the table says/);
    // The next object's endobj is not taken for this one's.
    const unended = Buffer.from(shifted).toString('latin1').replace('endobj', 'endobx');
    expect(() => readObjects(new Uint8Array(Buffer.from(unended, 'latin1')))).toThrow(/object 1 has no endobj/);
    const unheaded = Buffer.from(shifted).toString('latin1').replace('2 0 obj', '2 0 ob ');
    expect(() => readObjects(new Uint8Array(Buffer.from(unheaded, 'latin1')))).toThrow(/object 2 is not where the table says/);
  });
});
