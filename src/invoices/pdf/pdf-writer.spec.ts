import { pdfString, renderPdf } from './pdf-writer';

/** Checks what a PDF reader relies on: every xref offset lands on its object, startxref on the table. */
function checkStructure(pdf: Buffer): { objects: number; text: string } {
  const text = pdf.toString('latin1');
  expect(text.startsWith('%PDF-1.4\n')).toBe(true);
  expect(text.endsWith('%%EOF\n')).toBe(true);
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
  const header = /^xref\n0 (\d+)\n/.exec(text.slice(startxref));
  const count = Number(header?.[1]);
  const entries = text
    .slice(startxref + (header?.[0].length ?? 0))
    .split('\n')
    .slice(0, count);
  expect(entries[0]).toBe('0000000000 65535 f ');
  for (let i = 1; i < count; i++) {
    const offset = Number(entries[i].slice(0, 10));
    expect(text.slice(offset, offset + `${i} 0 obj`.length)).toBe(`${i} 0 obj`);
  }
  for (const match of text.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    expect(text.slice(start + Number(match[1]), start + Number(match[1]) + 10)).toBe('\nendstream');
  }
  return { objects: count - 1, text };
}

describe('renderPdf', () => {
  it('writes a valid PDF 1.4 with a correct cross-reference table', () => {
    const pdf = renderPdf(
      [
        { text: 'Invoice INV-1', font: 'bold', size: 18 },
        { text: 'Widget            1    $1.00', font: 'mono' },
      ],
      'Invoice INV-1',
    );
    const { objects, text } = checkStructure(pdf);
    expect(objects).toBe(8);
    expect(text).toContain('(Invoice INV-1) Tj');
    expect(text).toContain('/BaseFont /Courier');
  });

  it('starts a new page when the lines do not fit on one', () => {
    const lines = Array.from({ length: 120 }, (_, i) => ({ text: `line ${i}` }));
    const { text } = checkStructure(renderPdf(lines));
    expect(text).toMatch(/\/Count 3 >>/);
    expect(text).toContain('(line 119) Tj');
  });

  it('is deterministic', () => {
    const lines = [{ text: 'same' }];
    expect(renderPdf(lines).equals(renderPdf(lines))).toBe(true);
  });
});

describe('pdfString', () => {
  it('escapes parentheses and backslashes', () => {
    expect(pdfString('a (b) \\ c')).toBe('(a \\(b\\) \\\\ c)');
  });

  it('writes Latin-1 as octal escapes, the euro sign as WinAnsi, and the rest as "?"', () => {
    expect(pdfString('café €5 ✓')).toBe('(caf\\351 \\2005 ?)');
  });
});
