/**
 * A minimal PDF 1.4 writer for text documents: lines of text in the standard Helvetica and
 * Courier fonts (no embedding needed), US Letter pages, page breaks when a page is full.
 * Pure and deterministic: the same lines give the same bytes.
 */

export type PdfFont = 'regular' | 'bold' | 'mono';

export interface PdfLine {
  text: string;
  font?: PdfFont;
  /** Points; 10 when absent. */
  size?: number;
  /** Extra space before the line, in points. */
  spaceBefore?: number;
}

const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN = 54;
const FONT_NAMES: Record<PdfFont, { key: string; base: string }> = {
  regular: { key: 'F1', base: 'Helvetica' },
  bold: { key: 'F2', base: 'Helvetica-Bold' },
  mono: { key: 'F3', base: 'Courier' },
};

/**
 * Text as WinAnsi bytes inside a PDF string literal: backslash and parentheses escaped,
 * the euro sign mapped to its WinAnsi code, anything else outside Latin-1 shown as "?".
 */
export function pdfString(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 63;
    if (ch === '\\' || ch === '(' || ch === ')') out += `\\${ch}`;
    else if (ch === '€') out += '\\200';
    else if (code === 0x09) out += ' ';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code > 0xff) out += '?';
    else if (code > 0x7e) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `(${out})`;
}

/** Splits lines into pages by their heights. */
function paginate(lines: readonly PdfLine[]): { line: PdfLine; y: number }[][] {
  const pages: { line: PdfLine; y: number }[][] = [[]];
  let y = PAGE_HEIGHT - MARGIN;
  for (const line of lines) {
    const size = line.size ?? 10;
    const step = size * 1.35 + (line.spaceBefore ?? 0);
    if (y - step < MARGIN && pages[pages.length - 1].length > 0) {
      pages.push([]);
      y = PAGE_HEIGHT - MARGIN;
    }
    y -= pages[pages.length - 1].length === 0 ? size : step;
    pages[pages.length - 1].push({ line, y });
  }
  return pages;
}

export function renderPdf(lines: readonly PdfLine[], title = ''): Buffer {
  const pages = paginate(lines);
  const objects: string[] = [];
  // 1 catalog, 2 pages, 3-5 fonts, 6 info, then a page and its content per page.
  const firstPage = 7;
  const kids = pages.map((_, i) => `${firstPage + i * 2} 0 R`).join(' ');
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  for (const font of ['regular', 'bold', 'mono'] as const) {
    objects.push(
      `<< /Type /Font /Subtype /Type1 /BaseFont /${FONT_NAMES[font].base} /Encoding /WinAnsiEncoding >>`,
    );
  }
  objects.push(`<< /Title ${pdfString(title)} /Producer (Rebill) >>`);
  const fonts = '/F1 3 0 R /F2 4 0 R /F3 5 0 R';
  pages.forEach((page, i) => {
    const content = page
      .map(({ line, y }) => {
        const font = FONT_NAMES[line.font ?? 'regular'].key;
        return `BT /${font} ${line.size ?? 10} Tf ${MARGIN} ${y.toFixed(2)} Td ${pdfString(line.text)} Tj ET`;
      })
      .join('\n');
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
        `/Resources << /Font << ${fonts} >> >> /Contents ${firstPage + i * 2 + 1} 0 R >>`,
    );
    const length = Buffer.byteLength(content, 'latin1');
    objects.push(`<< /Length ${length} >>\nstream\n${content}\nendstream`);
  });

  // The header's second line holds bytes above 127, telling tools the file is binary.
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefOffset = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\n`;
  body += `startxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
