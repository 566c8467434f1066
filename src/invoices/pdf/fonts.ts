/**
 * The fonts invoice PDFs are set in, shipped in npm packages and embedded (subset) in every
 * PDF, so a fresh machine renders the same document and no system font is ever looked up:
 * - DejaVu Sans (`dejavu-fonts-ttf`): Latin, Greek, Cyrillic, Hebrew and many symbols
 *   (€ £ ₹ ₩ ☕ ✓);
 * - Noto Sans SC (`@fontsource/noto-sans-sc`, its Simplified Chinese subset): Han
 *   characters (北京贸易), kana and CJK punctuation.
 * Text is split into runs, each set in the first font that has all its characters'
 * glyphs: a name like "Café ☕ 北京贸易" mixes both fonts on one line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type FontWeight = 'regular' | 'bold';

/** The fontkit API used here (fontkit ships no type declarations). */
interface FontkitFont {
  hasGlyphForCodePoint(codePoint: number): boolean;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fontkit = require('fontkit') as { create(buffer: Buffer): FontkitFont };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fontverter = require('fontverter') as {
  convert(buffer: Buffer, to: 'sfnt'): Promise<Buffer>;
};

export interface EmbeddedFace {
  /** The name the face is registered under in a PDFKit document. */
  name: string;
  data: Buffer;
  font: FontkitFont;
}

export interface FontFamily {
  /** In fallback order: the first face with a glyph for a character sets it. */
  regular: readonly EmbeddedFace[];
  bold: readonly EmbeddedFace[];
}

function packageFile(pkg: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
}

/**
 * Fonts are stored as plain sfnt (TrueType/OpenType) bytes: a WOFF file would make every
 * PDF inflate its tables again in JavaScript (over a second per document for the CJK face).
 */
async function face(name: string, file: string): Promise<EmbeddedFace> {
  const data = await fontverter.convert(readFileSync(file), 'sfnt');
  return { name, data, font: fontkit.create(data) };
}

let family: Promise<FontFamily> | null = null;

/** Loaded once per process (about 20 MB of font data once inflated), then shared by every PDF. */
export function invoiceFonts(): Promise<FontFamily> {
  family ??= loadFonts();
  return family;
}

async function loadFonts(): Promise<FontFamily> {
  const [regular, cjk, bold, cjkBold] = await Promise.all([
    face('Sans', packageFile('dejavu-fonts-ttf', 'ttf/DejaVuSans.ttf')),
    face(
      'Sans-CJK',
      packageFile(
        '@fontsource/noto-sans-sc',
        'files/noto-sans-sc-chinese-simplified-400-normal.woff',
      ),
    ),
    face('Sans-Bold', packageFile('dejavu-fonts-ttf', 'ttf/DejaVuSans-Bold.ttf')),
    face(
      'Sans-CJK-Bold',
      packageFile(
        '@fontsource/noto-sans-sc',
        'files/noto-sans-sc-chinese-simplified-700-normal.woff',
      ),
    ),
  ]);
  return { regular: [regular, cjk], bold: [bold, cjkBold] };
}

export interface TextRun {
  face: string;
  text: string;
}

/**
 * Splits text into runs by the face that sets each character. A character no face has
 * (a script not shipped yet) stays in the first face, which draws its "missing glyph" box:
 * never a silent "?". Whitespace and combining marks join the run they are in.
 */
export function fontRuns(text: string, faces: readonly EmbeddedFace[]): TextRun[] {
  const runs: TextRun[] = [];
  const first = faces[0];
  if (first === undefined) throw new Error('no font faces');
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    const previous = runs[runs.length - 1];
    const neutral = /[\s\p{M}]/u.test(char);
    const chosen =
      neutral && previous !== undefined
        ? previous.face
        : (faces.find((f) => f.font.hasGlyphForCodePoint(cp)) ?? first).name;
    if (previous !== undefined && previous.face === chosen) previous.text += char;
    else runs.push({ face: chosen, text: char });
  }
  return runs;
}
