/**
 * Text every input must be: PostgreSQL stores no NUL character, and a lone UTF-16 surrogate (from
 * a JSON "\ud800" escape) is no Unicode text at all. Checked where input enters (API fields,
 * path and query, multipart fields and file names, CSV, person.json), so it is a 400 naming the
 * field, never a database error.
 */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a text, or null when it is fine. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'holds a NUL character';
  if (loneSurrogate.test(text)) return 'is not valid Unicode text (it holds a lone surrogate)';
  return null;
}

/** Where in the text the first NUL or lone surrogate stands, or -1. */
export function invalidTextIndex(text: string): number {
  const nul = text.indexOf('\u0000');
  const surrogate = text.search(loneSurrogate);
  if (nul < 0) return surrogate;
  return surrogate < 0 ? nul : Math.min(nul, surrogate);
}

/** The first string inside a value (objects and arrays walked, keys too) that is not valid text, named by its path. */
export function findInvalidText(value: unknown, path: string): { path: string; problem: string } | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, problem } : null;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findInvalidText(item, `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { path: `${path} (a field name)`, problem: keyProblem };
      const found = findInvalidText(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return null;
}
