import { describe, expect, it } from 'vitest';
import {
  editDistance,
  looseNameKey,
  normaliseCategory,
  normaliseName,
  resolveClaim,
  suggestNames,
  transliterate,
} from '../../src/domain/names.js';
import { person, registryPeople } from './synthetic.js';

const resolvedId = (text: string, people = registryPeople) => {
  const resolution = resolveClaim(text, people);
  return resolution.person?.id ?? null;
};

describe('names as users type them', () => {
  it('ignores case, extra spaces, diacritics, apostrophe and quote variants, and hyphens', () => {
    expect(normaliseName('  ENVER   Bekirov ')).toBe('enver bekirov');
    expect(normaliseName('Zoë Dûrán-Łopez')).toBe('zoe duran łopez');
    expect(normaliseName("O'Neil")).toBe(normaliseName('O’Neil'));
    expect(normaliseName('Oʼneil')).toBe('oneil');
    expect(normaliseName('«Lin-Manuel» Miranda')).toBe('lin manuel miranda');
  });

  it('transliterates Ukrainian by the national system and Russian by the common passport spelling', () => {
    expect(transliterate('Енвер Бекіров')).toBe('Enver Bekirov');
    expect(transliterate('Энвер Бекиров')).toBe('Enver Bekirov');
    expect(transliterate('Григорій Щербак')).toBe('Hryhorii Shcherbak');
    expect(transliterate('Юлія Їжакевич')).toBe('Yuliia Yizhakevych');
    expect(transliterate('Ёлка Съезд')).toBe('Yolka Sezd');
    expect(transliterate('Elena 2024')).toBe('Elena 2024');
  });

  it('treats spellings that differ only between transliteration systems as the same name', () => {
    expect(looseNameKey('Yelena')).toBe(looseNameKey('Elena'));
    expect(looseNameKey('Mariya')).toBe(looseNameKey('Mariia'));
    expect(looseNameKey('Khalil')).toBe(looseNameKey('Halil'));
    expect(looseNameKey('Hryhorii')).toBe(looseNameKey('Grigoriy'));
    expect(looseNameKey('Andriy')).toBe(looseNameKey('Andrii'));
    expect(looseNameKey('Tsvetkov')).toBe(looseNameKey('Cvetkov'));
    expect(looseNameKey('Mustafayev')).toBe(looseNameKey('Мустафаєв'));
    expect(looseNameKey('Schroeder')).toBe(looseNameKey('Schröder'));
    expect(looseNameKey('Dana')).not.toBe(looseNameKey('Diana'));
  });

  it('edit distance counts insertions, deletions and substitutions', () => {
    expect(editDistance('bekirov', 'bekirov')).toBe(0);
    expect(editDistance('bekirov', 'bekirova')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('resolving a claim to a registry person', () => {
  it('finds a person by registry id', () => {
    expect(resolvedId('enver-bekirov')).toBe('enver-bekirov');
  });

  it('finds Enver Bekirov from his name in Latin, Ukrainian or Russian, in any case and spacing', () => {
    expect(resolvedId('Enver Bekirov')).toBe('enver-bekirov');
    expect(resolvedId('  enver  BEKIROV')).toBe('enver-bekirov');
    expect(resolvedId('Енвер Бекіров')).toBe('enver-bekirov');
    expect(resolvedId('Энвер Бекиров')).toBe('enver-bekirov');
  });

  it('finds a person from a Cyrillic spelling that is not among the aliases', () => {
    const people = [person('enver-bekirov', 'Enver Bekirov')];
    expect(resolvedId('Енвер Бекіров', people)).toBe('enver-bekirov');
    expect(resolvedId('Энвер Бекиров', people)).toBe('enver-bekirov');
  });

  it('finds a person written with another transliteration system or surname first', () => {
    expect(resolvedId('Server Mustafaiev')).toBe('server-mustafayev');
    expect(resolvedId('Сервер Мустафаев')).toBe('server-mustafayev');
    expect(resolvedId('Maksim Butkevich')).toBe('maksym-butkevych');
    expect(resolvedId('Bekirov Enver')).toBe('enver-bekirov');
  });

  it('a name the registry does not know resolves to nobody and suggests the nearest registry names', () => {
    const resolution = resolveClaim('Enver Bekirow', registryPeople.slice(1));
    expect(resolution.person).toBeNull();
    const typo = resolveClaim('Enver Bekrov', registryPeople);
    expect(typo.person).toBeNull();
    expect(typo.person === null && typo.suggestions[0]).toBe('Enver Bekirov');
  });

  it('a name far from every registry name gets no suggestions rather than a far-fetched one', () => {
    const resolution = resolveClaim('Jean-Claude Van Damme', registryPeople);
    expect(resolution).toEqual({ person: null, suggestions: [] });
  });

  it('a name that fits two registry people picks neither and names both', () => {
    const people = [person('ivan-petrenko-1', 'Ivan Petrenko'), person('ivan-petrenko-2', 'Ivan Petrenko', { region: 'Kherson' })];
    const resolution = resolveClaim('Іван Петренко', people);
    expect(resolution.person).toBeNull();
    expect(resolution).toMatchObject({ suggestions: ['Ivan Petrenko', 'Ivan Petrenko'], ambiguous: true });
  });

  it('suggestions are ordered nearest first and limited', () => {
    const people = ['Ivan Petrenko', 'Ivan Petrenkov', 'Ivan Petrenkova', 'Ivana Petrenkova'].map((name, i) => person(`p${i}`, name));
    expect(suggestNames('Ivan Petrenk', people)).toEqual(['Ivan Petrenko', 'Ivan Petrenkov', 'Ivan Petrenkova']);
  });
});

describe('categories', () => {
  it('a category typed as words, in the plural, is the registry slug', () => {
    expect(normaliseCategory('Crimean political prisoners')).toBe('crimean-political-prisoner');
    expect(normaliseCategory('crimean-political-prisoner')).toBe('crimean-political-prisoner');
    expect(normaliseCategory('Prisoners of war')).toBe('prisoner-of-war');
    expect(normaliseCategory('prisoner-of-war')).not.toBe(normaliseCategory('crimean-political-prisoner'));
  });
});
