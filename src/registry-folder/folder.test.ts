import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRegistryFolder } from './folder.js';

async function registry(people: Record<string, { person?: unknown; files?: string[] }>) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pv-registry-'));
  for (const [id, { person, files = [] }] of Object.entries(people)) {
    await mkdir(path.join(root, id));
    if (person !== undefined)
      await writeFile(path.join(root, id, 'person.json'), typeof person === 'string' ? person : JSON.stringify(person));
    for (const file of files) await writeFile(path.join(root, id, file), 'bytes');
  }
  return root;
}

describe('registry folder', () => {
  it('reads one person per folder, the folder name as id, and every file but notes as a reference photo', async () => {
    const root = await registry({
      'enver-bekirov': {
        person: { name: 'Enver Bekirov', aliases: ['Енвер Бекіров'], category: 'crimean-political-prisoner', region: 'Crimea' },
        files: ['2019-court.jpg', 'photo-without-extension', '.DS_Store', 'provenance.md'],
      },
      'tony-blair': { person: { name: 'Tony Blair' }, files: [] },
    });
    const folder = await readRegistryFolder(root);
    expect(folder.people).toEqual([
      { id: 'enver-bekirov', name: 'Enver Bekirov', aliases: ['Енвер Бекіров'], category: 'crimean-political-prisoner', region: 'Crimea' },
      { id: 'tony-blair', name: 'Tony Blair', aliases: [] },
    ]);
    expect(folder.photos.map((photo) => photo.referencePhoto)).toEqual([
      'enver-bekirov/2019-court.jpg',
      'enver-bekirov/photo-without-extension',
    ]);
    expect(folder.photos[0].path).toBe(path.join(root, 'enver-bekirov', '2019-court.jpg'));
  });

  it('lists every problem at once: a missing person.json, broken JSON, a missing name, a bad folder name', async () => {
    const root = await registry({
      'no-card': {},
      'broken-json': { person: '{"name": ' },
      nameless: { person: { aliases: [] } },
      'Bad Name': { person: { name: 'X' } },
    });
    const error = await readRegistryFolder(root).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    const message = (error as Error).message;
    expect(message).toContain('Bad Name/: a person');
    expect(message).toContain('broken-json/person.json is not valid JSON');
    expect(message).toContain('nameless/person.json: name:');
    expect(message).toContain('no-card/person.json is missing');
  });

  it('reports a registry folder that does not exist as NOT_FOUND', async () => {
    await expect(readRegistryFolder(path.join(os.tmpdir(), 'no-such-registry'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a person.json linked to a file outside the registry folder, without quoting that file, and a NUL in a name', async () => {
    const outside = path.join(await mkdtemp(path.join(os.tmpdir(), 'pv-outside-')), 'secret.txt');
    await writeFile(outside, 'root:x:0:0:root:/root:/bin/bash\n');
    const root = await registry({
      linked: {},
      'nul-name': { person: { name: 'Enver\u0000Bekirov' } },
      fine: { person: { name: 'Tony Blair' } },
    });
    await symlink(outside, path.join(root, 'linked', 'person.json'));
    const error = await readRegistryFolder(root).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    const message = (error as Error).message;
    expect(message).toContain('linked/person.json is a link to a file outside the registry folder');
    expect(message).toContain('nul-name/person.json: name holds a NUL character');
    expect(message).not.toContain('root:x');
  });

  it('says where broken JSON breaks without quoting the file', async () => {
    const root = await registry({ broken: { person: 'root:x:0:0:root' } });
    const message = ((await readRegistryFolder(root).catch((caught: unknown) => caught)) as Error).message;
    expect(message).toMatch(/broken\/person\.json is not valid JSON/);
    expect(message).not.toContain('root:x');
  });
});
