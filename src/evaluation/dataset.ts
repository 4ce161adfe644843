import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCsv } from '../csv.js';

export interface Pair {
  a: string;
  b: string;
  same: boolean;
  fold?: number;
}

export interface Dataset {
  dir: string;
  name: string;
  pairs: Pair[];
  /** Identity per image path, from labels.csv or else the LFW folder name. */
  identities: Map<string, string>;
}

/** Reads `pairs.csv` (a,b,same[,fold]) and, when present, `labels.csv` beside it. */
export async function readDataset(pairsFile: string, fold?: number): Promise<Dataset> {
  const dir = path.dirname(path.resolve(pairsFile));
  const rows = parseCsv(await readFile(pairsFile, 'utf8'));
  const header = rows.shift() ?? [];
  const column = (name: string) => header.indexOf(name);
  const [ia, ib, isame, ifold] = [column('a'), column('b'), column('same'), column('fold')];
  if (ia < 0 || ib < 0 || isame < 0) throw new Error(`${pairsFile}: expected the columns a,b,same`);
  let pairs = rows.map((r) => ({ a: r[ia], b: r[ib], same: r[isame] === '1', fold: ifold >= 0 ? Number(r[ifold]) : undefined }));
  if (fold !== undefined) {
    if (ifold < 0) throw new Error(`${pairsFile} has no fold column`);
    pairs = pairs.filter((p) => p.fold === fold);
  }
  const identities = new Map<string, string>();
  try {
    const labels = parseCsv(await readFile(path.join(dir, 'labels.csv'), 'utf8'));
    const h = labels.shift() ?? [];
    for (const r of labels) identities.set(r[h.indexOf('path')], r[h.indexOf('identity')]);
  } catch {
    for (const p of pairs) for (const file of [p.a, p.b]) identities.set(file, path.basename(path.dirname(file)));
  }
  return { dir, name: path.basename(dir), pairs, identities };
}
