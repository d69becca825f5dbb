/** Download links for the web edition and the catalog, with sizes and page counts. */
export interface OutputFile {
  kind: 'pdf' | 'print' | 'epub' | 'web';
  /** File name inside dist/<slug>/. */
  file: string;
  bytes: number;
  pages?: number;
}

export interface DownloadLink {
  kind: string;
  href: string;
  label: string;
  meta: string;
  mediaType: string;
}

export function formatSize(bytes: number, lang: string): string {
  const nf = (n: number, digits: number) => new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n);
  if (bytes < 1024 * 1024) return `${nf(Math.max(1, Math.round(bytes / 1024)), 0)} KB`;
  return `${nf(bytes / (1024 * 1024), 1)} MB`;
}

export function downloadLinks(outputs: OutputFile[], strings: Record<string, string>, lang: string, prefix = ''): DownloadLink[] {
  const labels: Record<string, [string, string]> = {
    pdf: [strings.downloadPdf, 'application/pdf'],
    print: [strings.downloadPrint, 'application/pdf'],
    epub: [strings.downloadEpub, 'application/epub+zip'],
  };
  return outputs
    .filter((o) => o.kind in labels)
    .map((o) => ({
      kind: o.kind,
      href: prefix + o.file,
      label: labels[o.kind][0],
      mediaType: labels[o.kind][1],
      meta: [o.kind === 'epub' ? 'EPUB' : 'PDF', formatSize(o.bytes, lang), o.pages ? `${o.pages} ${strings.pages}` : '']
        .filter(Boolean)
        .join(', '),
    }));
}
