/** PDF intake (src/images/pdf.ts): content sniffing, the text layer in the rendered page's pixels, and the page-size limit. */
import { describe, expect, it } from 'vitest';
import { defaultPdfLimits, isPdf, pageScale, pdfTextItems, renderPdf } from '../../src/images/pdf.js';
import { draftPhotos, lfwPhoto } from '../helpers/fixtures.js';
import { pdfHandout } from '../helpers/pdf.js';

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
});
