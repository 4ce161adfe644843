/** PDF intake (src/images/pdf.ts): content sniffing, the text layer in the rendered page's pixels, and the page-size limit. */

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { defaultPdfLimits, isPdf, pageScale, pdfTextItems, renderPdf, renderPdfPages } from '../../src/images/pdf.js';
import { draftPhotos, lfwPhoto } from '../helpers/fixtures.js';
import { damagedPdf, encryptedPdf, hugePagePdf, imageBombPdf, longPdf, pdfHandout, twoPages } from '../helpers/pdf.js';

const onePage = [[{ photo: lfwPhoto('colin-powell', draftPhotos['colin-powell']), caption: 'Colin Powell' }]];

describe('PDF intake', () => {
  it('recognises a PDF by its content, not its name', async () => {
    expect(isPdf(await pdfHandout(onePage))).toBe(true);
    expect(isPdf(Buffer.from('\xFF\xD8\xFF\xE0 a JPEG'))).toBe(false);
  });

  it("gives the captions' text with boxes in the rendered page's pixels, top-left origin", async () => {
    const pdf = await pdfHandout(onePage);
    const [page] = await renderPdf(pdf, defaultPdfLimits);
    expect([page.width, page.height, page.dpi]).toEqual([1653, 2339, 200]);
    const items = await pdfTextItems(pdf, 1);
    const caption = items.find((item) => item.text === 'Colin Powell')!;
    // Drawn at x = 40 pt, baseline 760 - 120 - 14 = 626 pt from the bottom, 9 pt type: at 200 dpi, 200/72 px a point.
    const px = 200 / 72;
    expect(caption.box.x).toBeCloseTo(40 * px, 0);
    expect(caption.box.y + caption.box.height).toBeCloseTo((842 - 626) * px, 0);
    expect(caption.box.height).toBeCloseTo(9 * px, 0);
    expect(caption.box.width).toBeGreaterThan(40 * px);
    expect(items.map((item) => item.text)).toContain('Crimean political prisoners');
  }, 60_000);

  it('renders a page too large for the pixel limit at a lower resolution, and refuses it below 72 dpi', async () => {
    const limits = { ...defaultPdfLimits, maxPixels: 2_000_000 };
    const scale = pageScale(595, 842, limits)!;
    expect(scale * 72).toBeLessThan(200);
    expect(Math.ceil(595 * scale) * Math.ceil(842 * scale)).toBeLessThanOrEqual(2_000_000);
    expect(pageScale(14_400, 14_400, defaultPdfLimits)).toBeNull();
    await expect(renderPdf(await pdfHandout(onePage), { ...defaultPdfLimits, maxPixels: 100_000 })).rejects.toMatchObject({
      code: 'PDF_PAGE_TOO_LARGE',
    });
  }, 60_000);

  describe('refuses a PDF it cannot check with a coded error, at once', () => {
    it('a password-protected PDF: PDF_ENCRYPTED', async () => {
      await expect(renderPdf(await encryptedPdf(onePage), defaultPdfLimits)).rejects.toMatchObject({ code: 'PDF_ENCRYPTED' });
    });

    it('a PDF cut short in its first lines, and a handout truncated halfway (a broken download): PDF_CORRUPT', async () => {
      await expect(renderPdf(damagedPdf(), defaultPdfLimits)).rejects.toMatchObject({ code: 'PDF_CORRUPT' });
      const handout = await pdfHandout(onePage);
      await expect(renderPdf(handout.subarray(0, Math.floor(handout.length / 2)), defaultPdfLimits)).rejects.toMatchObject({
        code: 'PDF_CORRUPT',
      });
    }, 60_000);

    it('a PDF of 10,000 pages, before drawing any: PDF_TOO_MANY_PAGES', async () => {
      let drawn = 0;
      await expect(
        renderPdfPages(await longPdf(10_000), defaultPdfLimits, () => {
          drawn++;
        }),
      ).rejects.toMatchObject({ code: 'PDF_TOO_MANY_PAGES', message: expect.stringContaining('10000 pages') });
      expect(drawn).toBe(0);
    }, 60_000);

    it('a page of 50,000 × 50,000 points: PDF_PAGE_TOO_LARGE', async () => {
      await expect(renderPdf(await hugePagePdf(), defaultPdfLimits)).rejects.toMatchObject({ code: 'PDF_PAGE_TOO_LARGE' });
    });

    it('an embedded image of 400 megapixels, without decoding it: PDF_IMAGE_TOO_LARGE', async () => {
      await expect(renderPdf(await imageBombPdf(), defaultPdfLimits)).rejects.toMatchObject({ code: 'PDF_IMAGE_TOO_LARGE' });
    });

    it('a page that takes longer to draw than PDF_PAGE_TIMEOUT_MS: PDF_TIMEOUT, and the reader is stopped', async () => {
      await expect(renderPdf(await pdfHandout(onePage), { ...defaultPdfLimits, pageTimeoutMs: 5 })).rejects.toMatchObject({
        code: 'PDF_TIMEOUT',
      });
    });

    it('spoils nothing for the next PDF: after a stopped, a refused and a damaged one, a handout is drawn whole', async () => {
      await expect(renderPdf(await pdfHandout(onePage), { ...defaultPdfLimits, pageTimeoutMs: 5 })).rejects.toMatchObject({
        code: 'PDF_TIMEOUT',
      });
      await expect(renderPdf(await imageBombPdf(), defaultPdfLimits)).rejects.toMatchObject({ code: 'PDF_IMAGE_TOO_LARGE' });
      await expect(renderPdf(damagedPdf(), defaultPdfLimits)).rejects.toMatchObject({ code: 'PDF_CORRUPT' });
      // Back to back and after a pause (a thread loaded ahead is taken then): each a page of its own.
      const [first, second] = await Promise.all([
        renderPdf(await pdfHandout(twoPages), defaultPdfLimits),
        renderPdf(await pdfHandout(onePage), defaultPdfLimits),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const third = await renderPdf(await pdfHandout(twoPages), defaultPdfLimits);
      expect([first.length, second.length, third.length]).toEqual([2, 1, 2]);
      for (const page of [...first, ...second, ...third]) expect((await sharp(page.jpeg).metadata()).width).toBe(page.width);
    }, 60_000);
  });
});
