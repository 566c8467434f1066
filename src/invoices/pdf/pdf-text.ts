/**
 * Text on a PDFKit page in several fonts at once: measuring, wrapping to a width and
 * drawing, with each run set in the face that has its glyphs (fonts.ts). PDFKit does the
 * PDF work (embedding and subsetting the fonts, glyph positioning, the ToUnicode maps that
 * let readers search and copy the text); this file only decides where each run goes.
 */
import PDFDocument from 'pdfkit';
import { FontFamily, FontWeight, fontRuns, TextRun } from './fonts';

/** Han, kana, Hangul and fullwidth forms: a line may break before any of them. */
const CJK = '\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF';
const TOKENS = new RegExp(`[${CJK}]|[^\\s${CJK}]+\\s*|\\s+`, 'g');

export interface TextStyle {
  size: number;
  weight?: FontWeight;
  color?: string;
}

export class PdfText {
  constructor(
    private readonly pdf: PDFKit.PDFDocument,
    private readonly fonts: FontFamily,
  ) {
    for (const face of [...fonts.regular, ...fonts.bold]) pdf.registerFont(face.name, face.data);
  }

  private runs(text: string, weight: FontWeight = 'regular'): TextRun[] {
    return fontRuns(text, weight === 'bold' ? this.fonts.bold : this.fonts.regular);
  }

  /** Widths already measured: wrapping measures the same prefixes again and again. */
  private readonly widths = new Map<string, number>();

  width(text: string, style: TextStyle): number {
    const key = `${style.size}|${style.weight ?? 'regular'}|${text}`;
    const known = this.widths.get(key);
    if (known !== undefined) return known;
    const measured = this.measure(text, style);
    this.widths.set(key, measured);
    return measured;
  }

  private measure(text: string, style: TextStyle): number {
    let total = 0;
    for (const run of this.runs(text, style.weight)) {
      total += this.pdf.font(run.face).fontSize(style.size).widthOfString(run.text);
    }
    return total;
  }

  /** The height of one line at this size (the leading PDFKit would use). */
  lineHeight(size: number): number {
    return size * 1.3;
  }

  /**
   * Breaks text into lines no wider than `width`: at spaces, between CJK characters (which
   * need no spaces), and inside a word only when the word alone is wider than the line.
   * Explicit newlines start new lines.
   */
  wrap(text: string, width: number, style: TextStyle): string[] {
    const lines: string[] = [];
    for (const paragraph of text.split(/\r?\n/)) {
      // Tokens: a word with the spaces after it, or a single CJK character.
      const tokens = paragraph.match(TOKENS) ?? [''];
      let line = '';
      for (const token of tokens) {
        const candidate = line + token;
        if (line === '' || this.width(candidate.trimEnd(), style) <= width) {
          line = candidate;
          continue;
        }
        lines.push(line.trimEnd());
        line = token.trimStart();
      }
      lines.push(line.trimEnd());
    }
    // A single token wider than the line (a long URL, an unbroken code) is cut by characters.
    return lines.flatMap((l) => this.splitLong(l, width, style));
  }

  private splitLong(line: string, width: number, style: TextStyle): string[] {
    if (this.width(line, style) <= width) return [line];
    const pieces: string[] = [];
    let piece = '';
    for (const char of line) {
      if (piece !== '' && this.width(piece + char, style) > width) {
        pieces.push(piece);
        piece = '';
      }
      piece += char;
    }
    pieces.push(piece);
    return pieces;
  }

  /** Draws one line starting at x (or ending at x for align right); returns its width. */
  draw(
    text: string,
    x: number,
    y: number,
    style: TextStyle,
    align: 'left' | 'right' = 'left',
  ): number {
    const total = this.width(text, style);
    let cursor = align === 'right' ? x - total : x;
    this.pdf.fillColor(style.color ?? '#111827');
    // Every run sits on one baseline (the fonts' ascents differ, so their tops would not).
    const baseline = y + style.size * 0.93;
    for (const run of this.runs(text, style.weight)) {
      this.pdf.font(run.face).fontSize(style.size);
      this.pdf.text(run.text, cursor, baseline, { lineBreak: false, baseline: 'alphabetic' });
      cursor += this.pdf.widthOfString(run.text);
    }
    return total;
  }

  /** Draws wrapped lines from y down; returns the y below the last line. */
  paragraph(text: string, x: number, y: number, width: number, style: TextStyle): number {
    let cursor = y;
    for (const line of this.wrap(text, width, style)) {
      this.draw(line, x, cursor, style);
      cursor += this.lineHeight(style.size);
    }
    return cursor;
  }
}

export { PDFDocument };
