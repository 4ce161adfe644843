import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../src/errors.js';

describe("README's table of error codes", () => {
  it('lists exactly the codes of src/errors.ts, each with its HTTP status and meaning', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split(/^## /m).find((part) => part.startsWith('Error codes'));
    expect(section, 'README.md has a section "## Error codes"').toBeDefined();
    const rows = [...section!.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| (.+?) \|$/gm)].map(([, code, status, meaning]) => ({
      code,
      status: Number(status),
      meaning,
    }));
    const catalogue = Object.entries(errorCatalogue).map(([code, entry]) => ({ code, status: entry.status, meaning: entry.description }));
    expect(rows).toEqual(catalogue);
  });
});
