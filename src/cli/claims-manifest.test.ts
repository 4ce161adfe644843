import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimedFor, manifestFiles, readClaimsManifest } from './claims-manifest.js';

const manifest = async (text: string) => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'pv-claims-'));
  const file = path.join(folder, 'claims.csv');
  await writeFile(file, text);
  return { folder, file };
};

describe('claims manifest', () => {
  it('gives each image, relative to the manifest, its names in reading order and its category', async () => {
    const { folder, file } = await manifest(
      '\ufefffile,names,category\ndrafts/a.jpg,"Powell, Colin; Тоні Блер ;;Hugo Chavez",crimean-political-prisoner\nb.png,Tony Blair\n',
    );
    const { requests } = await readClaimsManifest(file);
    expect(requests.get(path.join(folder, 'drafts/a.jpg'))).toEqual({
      claims: [{ text: 'Powell, Colin' }, { text: 'Тоні Блер' }, { text: 'Hugo Chavez' }],
      category: 'crimean-political-prisoner',
    });
    expect(requests.get(path.join(folder, 'b.png'))).toEqual({ claims: [{ text: 'Tony Blair' }] });
    expect(requests.size).toBe(2);
  });

  it("gives a PDF's single pages the names of their own rows (handout.pdf#page=2), and its other pages the PDF's row", async () => {
    const { folder, file } = await manifest(
      'file,names\nhandout.pdf,Colin Powell\nhandout.pdf#page=2,Tony Blair;Hugo Chavez\nother.pdf#page=1,Enver Bekirov\n',
    );
    const read = await readClaimsManifest(file);
    const handout = path.join(folder, 'handout.pdf');
    expect(claimedFor(read, handout, 2)).toEqual({ claims: [{ text: 'Tony Blair' }, { text: 'Hugo Chavez' }] });
    expect(claimedFor(read, handout, 1)).toEqual({ claims: [{ text: 'Colin Powell' }] });
    expect(claimedFor(read, path.join(folder, 'other.pdf'), 2)).toEqual({ claims: [] });
    expect(manifestFiles(read).sort()).toEqual([handout, path.join(folder, 'other.pdf')]);
  });

  it('refuses a page listed twice and a page 0, naming the rows', async () => {
    const { file } = await manifest('a.pdf#page=2,Tony Blair\na.pdf#page=2,Hugo Chavez\na.pdf#page=0,Colin Powell\n');
    await expect(readClaimsManifest(file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/row 2: a\.pdf#page=2 is listed twice[\s\S]*row 3: a\.pdf#page=0: pages are numbered from 1/),
    });
  });

  it('refuses a manifest with an unquoted comma in the names or a file listed twice, naming the rows', async () => {
    const { file } = await manifest('a.jpg,Powell, Colin,x\nb.jpg,Tony Blair\nb.jpg,Hugo Chavez\n');
    await expect(readClaimsManifest(file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/row 1: 4 columns[\s\S]*row 3: b\.jpg is listed twice/),
    });
  });

  it('refuses a manifest that is not CSV (a quote never closed) as VALIDATION, naming the file', async () => {
    const { file } = await manifest('file,names\na.jpg,"Tony Blair\nb.jpg,Hugo Chavez\n');
    await expect(readClaimsManifest(file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/^the claims file .*claims\.csv is not valid CSV: Quote Not Closed.* line \d+$/),
    });
  });

  it('reports a missing manifest as NOT_FOUND', async () => {
    await expect(readClaimsManifest(path.join(os.tmpdir(), 'no-such-claims.csv'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("refuses a row whose file lies outside the manifest's folder (../ or an absolute path), naming the row", async () => {
    const { file } = await manifest('file,names\nok.jpg,Tony Blair\n../secret.jpg,Hugo Chavez\n/etc/passwd,Colin Powell\n');
    await expect(readClaimsManifest(file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/row 3: \.\.\/secret\.jpg is outside[\s\S]*row 4: \/etc\/passwd is outside/),
    });
  });
});
