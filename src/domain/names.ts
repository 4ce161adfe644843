/**
 * Names as users type them: normalisation, Cyrillic transliteration, and resolving a claim to a
 * registry person. A claim resolves only by an exact equivalence (id, name or alias, in any
 * spelling system); anything else gets suggestions, never a silent pick.
 */
import type { RegistryPerson } from './types.js';

const apostrophes = /['`´ʹʻʼʽʾʿˈ‘’‚‛′"“”„‟«»]/gu;

/** Lower case, no diacritics, no apostrophes or quotes, hyphens and punctuation as single spaces. */
export function normaliseName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(apostrophes, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

type Alphabet = 'uk' | 'ru';

// Letters the Ukrainian and Russian systems below spell alike (the Russian-only letters ё, ы, э, ъ
// included: in a Ukrainian-looking text they are spelt the Russian way).
const sharedLetters: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  ґ: 'g',
  д: 'd',
  е: 'e',
  ж: 'zh',
  з: 'z',
  і: 'i',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ь: '',
  ё: 'e',
  ы: 'y',
  э: 'e',
  ъ: '',
};

// Ukrainian: the national system (Cabinet of Ministers resolution 55, 2010), word-initial forms aside.
const ukrainian: Record<string, string> = { ...sharedLetters, г: 'h', є: 'ie', и: 'y', ї: 'i', й: 'i', ю: 'iu', я: 'ia' };
const ukrainianInitial: Record<string, string> = { є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' };

// Russian: the common passport/press spelling (ICAO 9303 with the usual y-forms).
const russian: Record<string, string> = { ...sharedLetters, г: 'g', и: 'i', й: 'y', ю: 'yu', я: 'ya', ї: 'yi', є: 'ye' };
const russianInitial: Record<string, string> = { е: 'ye', ё: 'yo' };

/** Russian if a letter only Russian has appears (ы, э, ё, ъ), else Ukrainian. */
function alphabetOf(text: string): Alphabet {
  return /[ыэёъ]/iu.test(text) ? 'ru' : 'uk';
}

/**
 * Ukrainian and Russian Cyrillic to Latin, by the alphabet the whole text is written in. Other
 * characters pass through unchanged; the case of each word's first letter is kept.
 */
export function transliterate(text: string): string {
  const alphabet = alphabetOf(text);
  return text.normalize('NFC').replace(/(?:\p{Script=Cyrillic}|[\u0300-\u036f])+/gu, (word) => {
    const lower = word.toLowerCase();
    const table = alphabet === 'uk' ? ukrainian : russian;
    const initial = alphabet === 'uk' ? ukrainianInitial : russianInitial;
    let latin = '';
    for (let i = 0; i < lower.length; i++) {
      const letter = lower[i];
      const spelled = (i === 0 ? initial[letter] : undefined) ?? table[letter] ?? letter;
      latin += spelled;
    }
    const capital = word[0] !== lower[0];
    return capital && latin.length > 0 ? latin[0].toUpperCase() + latin.slice(1) : latin;
  });
}

/**
 * A key on which spellings of the same name from different transliteration systems agree:
 * e/ye (word-initial or after a vowel), i/y/ii/j, kh/h/g, ts/tz/c, w/v, oe/ö, doubled letters.
 * Deterministic, so it decides equality, not likeness.
 */
export function looseNameKey(text: string): string {
  return normaliseName(transliterate(text))
    .split(' ')
    .map((word) =>
      word
        .replace(/shch|sch/g, 'sc')
        .replace(/kh|gh|g/g, 'h')
        .replace(/tz|ts/g, 'c')
        .replace(/w/g, 'v')
        .replace(/[yj]/g, 'i')
        .replace(/(.)\1+/g, '$1')
        .replace(/(^|[aeou])ie/g, '$1e')
        .replace(/([ou])e/g, '$1') // umlauts spelled out: Schroeder, Schröder
        .replace(/(.)\1+/g, '$1'),
    )
    .join(' ');
}

/** The same words in any order: lists often give the surname first. */
function orderFree(key: string): string {
  return key.split(' ').sort().join(' ');
}

export type ClaimResolution =
  | { person: RegistryPerson }
  /** `ambiguous`: the text fits each of the suggested people equally well. */
  | { person: null; suggestions: string[]; ambiguous?: boolean };

/**
 * Finds the registry person a claim names: by id, then by name or alias after normalisation and
 * transliteration, then on the loose key (in either word order). A claim that fits several people
 * at the same step, or nobody, resolves to no one, with the nearest registry names as suggestions.
 */
export function resolveClaim(text: string, people: RegistryPerson[]): ClaimResolution {
  const trimmed = text.trim();
  const byId = people.filter((person) => person.id === trimmed || person.id.toLowerCase() === trimmed.toLowerCase());
  if (byId.length === 1) return { person: byId[0] };

  const spellings = (person: RegistryPerson) => [person.name, ...person.aliases, person.id];
  const steps: ((value: string) => string)[] = [
    (value) => normaliseName(value),
    (value) => normaliseName(transliterate(value)),
    (value) => looseNameKey(value),
    (value) => orderFree(looseNameKey(value)),
  ];
  for (const step of steps) {
    const wanted = step(trimmed);
    if (wanted === '') break;
    const found = people.filter((person) => spellings(person).some((spelling) => step(spelling) === wanted));
    if (found.length === 1) return { person: found[0] };
    if (found.length > 1) return { person: null, suggestions: found.map((person) => person.name), ambiguous: true };
  }
  return { person: null, suggestions: suggestNames(trimmed, people) };
}

/** Registry people by how near their nearest spelling is to a text (edit distance on loose keys over the longer key), nearest first. */
function nearestPeople(text: string, people: RegistryPerson[]): { person: RegistryPerson; distance: number }[] {
  const wanted = orderFree(looseNameKey(text));
  if (wanted === '') return [];
  return people
    .map((person) => {
      const distances = [person.name, ...person.aliases].map((spelling) => {
        const key = orderFree(looseNameKey(spelling));
        return editDistance(wanted, key) / Math.max(wanted.length, key.length);
      });
      return { person, distance: Math.min(...distances) };
    })
    .filter((candidate) => candidate.distance <= suggestionDistance)
    .sort((a, b) => a.distance - b.distance || a.person.name.localeCompare(b.person.name));
}

/** A registry name this far from the text (edit distance over length) or nearer is worth suggesting. */
const suggestionDistance = 0.5;
/**
 * A suggestion is clear, and the face is compared with that person, when it is this near (about one
 * wrong letter in three)...
 */
const clearSuggestionDistance = 0.34;
/** ...and the next suggestion is at least this much further away. */
const clearSuggestionLead = 0.15;

/** The registry names nearest to a text by edit distance on loose keys: at most `limit`, only plausible ones. */
export function suggestNames(text: string, people: RegistryPerson[], limit = 3): string[] {
  return nearestPeople(text, people)
    .slice(0, limit)
    .map((candidate) => candidate.person.name);
}

/**
 * The one registry person a misspelt name most likely means, or null when no suggestion stands
 * out. The face is then compared with that person, but the name as given never confirms anyone.
 */
export function clearSuggestion(text: string, people: RegistryPerson[]): RegistryPerson | null {
  const [first, second] = nearestPeople(text, people);
  if (!first || first.distance > clearSuggestionDistance) return null;
  if (second && second.distance - first.distance < clearSuggestionLead) return null;
  return first.person;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Categories are slugs; users type them as words, in either number: "Crimean political prisoners". */
export function normaliseCategory(text: string): string {
  return normaliseName(transliterate(text))
    .split(' ')
    .filter((word) => word !== '')
    .map((word) => (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word))
    .join('-');
}
