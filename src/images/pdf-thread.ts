/**
 * One PDF's reading, on a thread of its own (src/images/pdf.ts starts it and terminates it when a
 * page takes too long): pdf.js opens the document with everything that could run or fetch turned
 * off, renders the pages asked for to JPEG, or reads a page's text layer.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { PdfTask, PdfThreadMessage } from './pdf.js';
import { pageScale } from './pdf-scale.js';

const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const post = (message: PdfThreadMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

/**
 * pdf.js leaves out an embedded image larger than maxImageSize without decoding it, and says so
 * only as a warning: caught here, so that the page is refused rather than checked without it.
 */
let imageLeftOut = false;
console.warn = (...args: unknown[]) => {
  if (String(args[0]).includes('Image exceeded maximum allowed size')) imageLeftOut = true;
};

/**
 * pdf.js and its worker code, loaded before the task arrives (the thread is started ahead of its
 * task: see src/images/pdf.ts). With `globalThis.pdfjsWorker` set, pdf.js runs its worker code in
 * this thread without loading it again.
 */
async function load() {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  pdfjs.GlobalWorkerOptions.workerSrc = path.join(pdfjsRoot, 'legacy/build/pdf.worker.mjs');
  (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
  return pdfjs;
}

async function run(loading: ReturnType<typeof load>, task: PdfTask): Promise<void> {
  const pdfjs = await loading;
  let document: Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>;
  try {
    document = await pdfjs.getDocument({
      data: new Uint8Array(task.data),
      // Nothing runs: no eval of fonts or functions, no scripting, no XFA forms.
      isEvalSupported: false,
      enableXfa: false,
      // Nothing is fetched: no font faces, no system fonts, the standard fonts, CMaps and decoders read from pdfjs-dist on disk.
      disableFontFace: true,
      useSystemFonts: false,
      standardFontDataUrl: `${pdfjsRoot}/standard_fonts/`,
      cMapUrl: `${pdfjsRoot}/cmaps/`,
      cMapPacked: true,
      wasmUrl: `${pdfjsRoot}/wasm/`,
      iccUrl: `${pdfjsRoot}/iccs/`,
      disableRange: true,
      disableStream: true,
      disableAutoFetch: true,
      isOffscreenCanvasSupported: false,
      isImageDecoderSupported: false,
      // No image larger than an upload may be is decoded (a bomb: a few KB that inflate to gigabytes).
      maxImageSize: task.limits.maxPixels,
      verbosity: 1,
    }).promise;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'PasswordException')
      return post({ kind: 'error', code: 'PDF_ENCRYPTED', message: 'the PDF is protected by a password: send it without protection' });
    return post({ kind: 'error', code: 'PDF_CORRUPT', message: `the PDF cannot be read: ${(error as Error).message}` });
  }
  post({ kind: 'opened', pages: document.numPages });
  if (task.kind === 'render' && document.numPages > task.limits.maxPages) return;
  const pages =
    task.kind === 'render' && task.only === undefined
      ? Array.from({ length: document.numPages }, (_, index) => index + 1)
      : [task.kind === 'render' ? task.only! : task.page];
  for (const number of pages) {
    if (number < 1 || number > document.numPages) {
      return post({ kind: 'error', code: 'VALIDATION', message: `the PDF has ${document.numPages} pages; there is no page ${number}` });
    }
    const page = await document.getPage(number);
    const unscaled = page.getViewport({ scale: 1 });
    const scale = pageScale(unscaled.width, unscaled.height, task.limits);
    if (scale === null) {
      return post({
        kind: 'error',
        code: 'PDF_PAGE_TOO_LARGE',
        message: `page ${number} is ${(unscaled.width / 72).toFixed(0)} x ${(unscaled.height / 72).toFixed(0)} inches: at ${task.limits.minDpi} dpi it would pass the limit of ${(task.limits.maxPixels / 1e6).toFixed(1)} megapixels`,
      });
    }
    const viewport = page.getViewport({ scale });
    if (task.kind === 'text') {
      const content = await page.getTextContent();
      const items = [];
      for (const item of content.items) {
        if (!('str' in item) || item.str.trim() === '') continue;
        const [, , c, d, e, f] = pdfjs.Util.transform(viewport.transform, item.transform);
        const height = Math.hypot(c, d);
        items.push({ text: item.str, box: { x: e, y: f - height, width: item.width * scale, height } });
      }
      return post({ kind: 'text', page: number, items });
    }
    const width = Math.ceil(viewport.width);
    const height = Math.ceil(viewport.height);
    // pdf.js's own canvas factory: it bundles the @napi-rs/canvas its drawing code was built for.
    const factory = document.canvasFactory as { create(width: number, height: number): unknown };
    const { canvas, context } = factory.create(width, height) as {
      canvas: { encode(format: 'jpeg', quality: number): Promise<Buffer> };
      context: CanvasRenderingContext2D;
    };
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    try {
      await page.render({
        canvas: canvas as unknown as HTMLCanvasElement,
        canvasContext: context,
        viewport,
        // The page's look and its annotations' appearance; no form fields, no actions.
        annotationMode: pdfjs.AnnotationMode.ENABLE,
      }).promise;
    } catch (error) {
      return post({ kind: 'error', code: 'PDF_CORRUPT', message: `page ${number} cannot be drawn: ${(error as Error).message}` });
    }
    if (imageLeftOut) {
      return post({
        kind: 'error',
        code: 'PDF_IMAGE_TOO_LARGE',
        message: `page ${number} holds an image of more than ${(task.limits.maxPixels / 1e6).toFixed(1)} megapixels (MAX_IMAGE_PIXELS); it was not decoded: embed the photos at a smaller size`,
      });
    }
    const jpeg = await canvas.encode('jpeg', 92);
    const bytes = jpeg.buffer.slice(jpeg.byteOffset, jpeg.byteOffset + jpeg.byteLength) as ArrayBuffer;
    post({ kind: 'page', page: number, width, height, dpi: scale * 72, jpeg: bytes }, [bytes]);
    page.cleanup();
  }
  post({ kind: 'done' });
}

// Loading starts at once; the one task this thread runs comes as its first message.
const loading = load();
loading.catch(() => {});
parentPort!.once('message', (task: PdfTask) =>
  run(loading, task).catch((error: Error) =>
    post({ kind: 'error', code: 'PDF_CORRUPT', message: `the PDF cannot be read: ${error.message}` }),
  ),
);
