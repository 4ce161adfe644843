/**
 * Drawing a PDF's pages, as an upload of a PDF does before its checks are queued
 * (src/images/pdf.ts): milliseconds for a one-page A4 handout with two portraits at PDF_DPI 200,
 * five times back to back and five times with a pause of 3 s before each (the spare thread has
 * loaded pdf.js by then). With --json, one line per way: {"pause": ms, "msPerPdf": [..]}.
 */
import { defaultPdfLimits, renderPdf } from '../src/images/pdf.js';
import { pdfHandout, twoPages } from '../test/helpers/pdf.js';

export async function pdfBenchmark(): Promise<void> {
  const json = process.argv.includes('--json');
  const pdf = Buffer.from(await pdfHandout([twoPages[0]]));
  for (const pause of [0, 3000]) {
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      const start = performance.now();
      await renderPdf(pdf, defaultPdfLimits);
      times.push(Math.round(performance.now() - start));
    }
    if (json) process.stdout.write(`${JSON.stringify({ pause, msPerPdf: times })}\n`);
    else
      process.stdout.write(
        `one-page PDF drawn at 200 dpi, ${pause === 0 ? 'back to back' : `${pause / 1000} s apart`}: ${times.join(', ')} ms\n`,
      );
  }
}
