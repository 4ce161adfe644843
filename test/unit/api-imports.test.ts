import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const apiDir = fileURLToPath(new URL('../../src/api/', import.meta.url));
const srcDir = path.dirname(apiDir.replace(/\/$/, ''));

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the api layer', () => {
  it('imports only services, domain, config, errors and runtime: never the store or the queues (type imports included)', async () => {
    const offending: string[] = [];
    for (const file of await filesUnder(apiDir)) {
      const text = await readFile(file, 'utf8');
      for (const [, specifier] of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
        if (!specifier.startsWith('.')) continue;
        const target = path.relative(srcDir, path.resolve(path.dirname(file), specifier));
        if (!/^(api|services|domain|runtime)\/|^(config|errors)\.js$/.test(target))
          offending.push(`${path.relative(srcDir, file)} imports ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
