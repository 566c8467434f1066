import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';

/**
 * Reads PDFs the way a customer's viewer does: Mozilla's PDF.js (pdfjs-dist), running in
 * headless Chromium. It extracts each page's text (as lines, top to bottom) and renders a
 * page to PNG for the screenshot comparison. PDF.js is served to the page from
 * node_modules under a made-up origin, so nothing is fetched from the network.
 */
const ORIGIN = 'http://pdf-viewer.test';
const PDFJS = path.dirname(require.resolve('pdfjs-dist/package.json'));

export interface PdfPageText {
  /** The page's lines, top to bottom, each the text items on one baseline, left to right. */
  lines: string[];
  /** The links on the page (annotations), by URL. */
  links: string[];
}

export interface PdfReading {
  pages: PdfPageText[];
  /** All lines of all pages, joined with newlines. */
  text: string;
  info: Record<string, unknown>;
}

export class PdfViewer {
  private constructor(private readonly page: Page) {}

  static async open(browser: Browser): Promise<PdfViewer> {
    const page = await browser.newPage();
    await page.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/') {
        return route.fulfill({ contentType: 'text/html', body: '<!doctype html><body></body>' });
      }
      const file = path.join(PDFJS, 'build', path.basename(url.pathname));
      return route.fulfill({ contentType: 'text/javascript', body: readFileSync(file) });
    });
    await page.goto(`${ORIGIN}/`);
    // A module script, not page.evaluate: the test's compiler would rewrite a dynamic import.
    await page.addScriptTag({
      type: 'module',
      content: `import * as pdfjs from '/pdf.mjs';
        pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.mjs';
        window.pdfjs = pdfjs;`,
    });
    await page.waitForFunction(() => 'pdfjs' in globalThis);
    return new PdfViewer(page);
  }

  async read(pdf: Buffer): Promise<PdfReading> {
    const result = await this.page.evaluate(async (base64) => {
      const pdfjs = (globalThis as any).pdfjs;
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const doc = await pdfjs.getDocument({ data }).promise;
      const pages = [];
      for (let n = 1; n <= doc.numPages; n++) {
        const page = await doc.getPage(n);
        const content = await page.getTextContent();
        const rows = new Map<number, { x: number; w: number; s: string }[]>();
        for (const item of content.items as { str: string; transform: number[]; width: number }[]) {
          if (item.str === '') continue;
          const y = Math.round(item.transform[5] ?? 0);
          const key = [...rows.keys()].find((k) => Math.abs(k - y) <= 2) ?? y;
          const row = rows.get(key) ?? [];
          row.push({ x: item.transform[4] ?? 0, w: item.width, s: item.str });
          rows.set(key, row);
        }
        // Runs set side by side (one word in two fonts) join directly; a gap is a space.
        const lines = [...rows.entries()]
          .sort((a, b) => b[0] - a[0])
          .map(([, row]) => {
            row.sort((a, b) => a.x - b.x);
            let line = '';
            let end = -Infinity;
            for (const r of row) {
              line += (r.x - end > 1.5 && line !== '' ? ' ' : '') + r.s;
              end = r.x + r.w;
            }
            return line.replace(/\s+/g, ' ').trim();
          });
        const annotations = await page.getAnnotations();
        const links = (annotations as { url?: string }[])
          .map((a) => a.url ?? '')
          .filter((u) => u !== '');
        pages.push({ lines, links });
      }
      const meta = await doc.getMetadata();
      return { pages, info: meta.info as Record<string, unknown> };
    }, pdf.toString('base64'));
    return {
      ...result,
      text: result.pages.flatMap((p) => p.lines).join('\n'),
    };
  }

  /** Page `n` (from 1) rendered at `scale` (1 = 72 dpi) as PNG bytes. */
  async screenshot(pdf: Buffer, n: number, scale = 1.5): Promise<Buffer> {
    const dataUrl = await this.page.evaluate(
      async ({ base64, n, scale }) => {
        const pdfjs = (globalThis as any).pdfjs;
        const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const doc = await pdfjs.getDocument({ data }).promise;
        const page = await doc.getPage(n);
        const viewport = page.getViewport({ scale });
        const canvas = (globalThis as any).document.createElement('canvas');
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        const context = canvas.getContext('2d');
        context!.fillStyle = '#ffffff';
        context!.fillRect(0, 0, canvas.width, canvas.height);
        await page.render({ canvasContext: context, canvas, viewport }).promise;
        return canvas.toDataURL('image/png');
      },
      { base64: pdf.toString('base64'), n, scale },
    );
    return Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}
