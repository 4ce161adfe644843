export interface PdfRenderLimits {
  /** Pages one document may have (config MAX_PDF_PAGES). */
  maxPages: number;
  /** Pixels one rendered page may have (config MAX_IMAGE_PIXELS). */
  maxPixels: number;
  /** Resolution a page is rendered at (config PDF_DPI). */
  dpi: number;
  /** A page too large for maxPixels is rendered smaller, down to this resolution; below it, PDF_PAGE_TOO_LARGE. */
  minDpi: number;
  /** How long one page may take to open and draw (config PDF_PAGE_TIMEOUT_MS). */
  pageTimeoutMs: number;
}

/**
 * The scale (pixels per PDF point) a page of this size is rendered at: `dpi`, or less where the
 * page would pass `maxPixels`; null when even `minDpi` would.
 */
export function pageScale(widthPt: number, heightPt: number, limits: Pick<PdfRenderLimits, 'dpi' | 'minDpi' | 'maxPixels'>): number | null {
  const pixelsAt = (dpi: number) => Math.ceil((widthPt * dpi) / 72) * Math.ceil((heightPt * dpi) / 72);
  if (pixelsAt(limits.dpi) <= limits.maxPixels) return limits.dpi / 72;
  const fitting = Math.floor(72 * Math.sqrt(limits.maxPixels / (widthPt * heightPt))) - 1;
  if (fitting < limits.minDpi || pixelsAt(fitting) > limits.maxPixels) return null;
  return fitting / 72;
}
