/**
 * PDF intake: a document recognised by its content (`%PDF-`), each page rendered to an image that
 * is then checked like any upload, and the text layer in the same pixels (for caption reading).
 *
 * pdf.js runs on a thread of its own per document, with scripting, eval, font faces, system fonts
 * and every fetch turned off (the standard fonts and decoders come from pdfjs-dist on disk); the
 * thread is terminated when one page takes longer than `pageTimeoutMs`, so no PDF can stall a
 * worker or the API. Errors are coded: PDF_ENCRYPTED, PDF_CORRUPT, PDF_TOO_MANY_PAGES,
 * PDF_PAGE_TOO_LARGE, PDF_TIMEOUT.
 */
import { Worker } from 'node:worker_threads';
import type { Box } from '../domain/types.js';
import { AppError, type ErrorCode } from '../errors.js';
import type { PdfRenderLimits } from './pdf-scale.js';

export { type PdfRenderLimits, pageScale } from './pdf-scale.js';

/** 200 dpi: a 70 px portrait in a page laid out at 72 dpi is drawn at about 195 px (see README, PDF handouts). */
export const defaultPdfLimits: PdfRenderLimits = { maxPages: 50, maxPixels: 60_000_000, dpi: 200, minDpi: 72, pageTimeoutMs: 20_000 };

export interface PdfPage {
  /** From 1. */
  page: number;
  /** The page rendered as a JPEG (quality 92) at `dpi`. */
  jpeg: Buffer;
  width: number;
  height: number;
  dpi: number;
}

export interface PdfTextItem {
  text: string;
  /** In the rendered page's pixels, top-left origin: the box of the text run from the top of its font to its baseline. */
  box: Box;
}

/** @internal What the thread is asked. */
export type PdfTask =
  | { kind: 'render'; data: ArrayBuffer; limits: PdfRenderLimits; only?: number }
  | { kind: 'text'; data: ArrayBuffer; page: number; limits: PdfRenderLimits };

/** @internal What the thread answers. */
export type PdfThreadMessage =
  | { kind: 'opened'; pages: number }
  | { kind: 'page'; page: number; width: number; height: number; dpi: number; jpeg: ArrayBuffer }
  | { kind: 'text'; page: number; items: PdfTextItem[] }
  | { kind: 'error'; code: ErrorCode; message: string }
  | { kind: 'done' };

/** True when the content is a PDF: `%PDF-` within the first KiB, as readers accept it. */
export function isPdf(bytes: Buffer): boolean {
  return bytes.subarray(0, 1024).includes('%PDF-');
}

const threadUrl = new URL(import.meta.url.endsWith('.ts') ? './pdf-thread-from-source.mjs' : './pdf-thread.js', import.meta.url);

/**
 * Every page of the PDF rendered, handed to `onPage` one at a time in order (so a long document
 * is never whole in memory when `onPage` stores each page). Refuses the document before any page
 * when it is encrypted, damaged or has more than `maxPages` pages.
 */
export async function renderPdfPages(
  bytes: Buffer,
  limits: PdfRenderLimits,
  onPage: (page: PdfPage) => Promise<void> | void,
): Promise<{ pages: number }> {
  let pages = 0;
  let pending = Promise.resolve();
  await runThread({ kind: 'render', data: copy(bytes), limits }, limits.pageTimeoutMs, (message) => {
    if (message.kind === 'opened') {
      pages = message.pages;
      if (pages > limits.maxPages)
        throw new AppError(
          'PDF_TOO_MANY_PAGES',
          `the PDF has ${pages} pages; the limit is ${limits.maxPages} (MAX_PDF_PAGES): split the document`,
        );
      if (pages === 0) throw new AppError('PDF_CORRUPT', 'the PDF has no pages');
    } else if (message.kind === 'page') {
      const { jpeg, ...rest } = message;
      pending = pending.then(() => onPage({ ...rest, jpeg: Buffer.from(jpeg) }));
    }
    return message.kind === 'done';
  });
  await pending;
  return { pages };
}

/** Every page rendered, in order: for a handful of pages (tests, the offline checker's one file). */
export async function renderPdf(bytes: Buffer, limits: PdfRenderLimits): Promise<PdfPage[]> {
  const pages: PdfPage[] = [];
  await renderPdfPages(bytes, limits, (page) => {
    pages.push(page);
  });
  return pages;
}

/** One page (from 1) rendered with `limits`: e.g. a scanned page drawn again at 300 dpi for OCR. */
export async function renderPdfPage(bytes: Buffer, page: number, limits: PdfRenderLimits): Promise<PdfPage> {
  let rendered: PdfPage | null = null;
  await runThread({ kind: 'render', data: copy(bytes), limits, only: page }, limits.pageTimeoutMs, (message) => {
    if (message.kind === 'page') rendered = { ...message, jpeg: Buffer.from(message.jpeg) };
    return message.kind === 'done';
  });
  if (!rendered) throw new AppError('PDF_CORRUPT', `page ${page} of the PDF could not be drawn`);
  return rendered;
}

/**
 * The text layer of one page (from 1): each text run with its box in the pixels of the page as
 * `renderPdfPages` renders it with the same limits (top-left origin). Empty for a scanned page.
 */
export async function pdfTextItems(bytes: Buffer, page: number, limits: PdfRenderLimits = defaultPdfLimits): Promise<PdfTextItem[]> {
  let items: PdfTextItem[] = [];
  await runThread({ kind: 'text', data: copy(bytes), page, limits }, limits.pageTimeoutMs, (message) => {
    if (message.kind === 'text') items = message.items;
    return message.kind === 'text';
  });
  return items;
}

function copy(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * A PDF thread started ahead of its task: loading pdf.js takes about two seconds, so a task takes
 * the thread already loaded, and when it ends the next one starts loading. Every document still
 * gets a thread of its own, never reused. A loaded thread holds about 400 MB (run from source), so
 * a spare nobody takes within `spareIdleMs` is stopped: PDFs that come in a run are drawn at
 * once, and an idle service gives the memory back. The spare is unref'd: it does not keep a
 * process alive.
 */
let spare: { worker: Worker; expiry: NodeJS.Timeout } | null = null;
const spareIdleMs = 60_000;

function startThread(): Worker {
  const worker = new Worker(threadUrl, { resourceLimits: { maxOldGenerationSizeMb: 1024 } });
  worker.unref();
  worker.on('error', () => {});
  return worker;
}

function startSpare(): void {
  if (spare) return;
  const worker = startThread();
  const expiry = setTimeout(() => {
    if (spare?.worker === worker) spare = null;
    void worker.terminate();
  }, spareIdleMs);
  expiry.unref();
  spare = { worker, expiry };
  // A spare that dies while waiting (out of memory, a failed load) is replaced when next needed.
  worker.once('exit', () => {
    if (spare?.worker === worker) {
      clearTimeout(expiry);
      spare = null;
    }
  });
}

function takeThread(): Worker {
  const taken = spare;
  spare = null;
  if (taken) clearTimeout(taken.expiry);
  const worker = taken?.worker ?? startThread();
  worker.ref();
  return worker;
}

/**
 * Runs one task on a thread of its own; `handle` returns true on the last message. The thread is
 * terminated when it is silent for `timeoutMs` (opening the document, or one page), on error,
 * and at the end.
 */
function runThread(task: PdfTask, timeoutMs: number, handle: (message: PdfThreadMessage) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = takeThread();
    worker.postMessage(task, [task.data]);
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      startSpare();
      if (error) reject(error);
      else resolve();
    };
    const arm = (what: string) => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          finish(new AppError('PDF_TIMEOUT', `${what} took longer than ${timeoutMs} ms (PDF_PAGE_TIMEOUT_MS); the PDF was not checked`)),
        timeoutMs,
      );
    };
    arm('opening the PDF');
    let nextPage = 1;
    worker.on('message', (message: PdfThreadMessage) => {
      if (settled) return;
      if (message.kind === 'error') return finish(new AppError(message.code, message.message));
      try {
        if (handle(message)) return finish();
      } catch (error) {
        return finish(error as Error);
      }
      if (message.kind === 'page') nextPage = message.page + 1;
      arm(task.kind === 'render' ? `page ${nextPage}` : `page ${task.page}`);
    });
    worker.on('error', (error) => finish(new AppError('PDF_CORRUPT', `the PDF cannot be read: ${error.message}`)));
    worker.on('exit', (code) => finish(new AppError('PDF_CORRUPT', `the PDF reader stopped (exit ${code}) before the end`)));
  });
}
