import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('the CSV reader', () => {
  it('drops a byte-order mark, so the first column is named as written', () => {
    expect(parseCsv('\ufefffile,names\na.jpg,Tony Blair\n')).toEqual([
      ['file', 'names'],
      ['a.jpg', 'Tony Blair'],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, with \\r\\n, \\n or \\r line ends', () => {
    expect(parseCsv('a,"b, c","say ""hi"""\r\n"x\ny",z\rlast,row')).toEqual([
      ['a', 'b, c', 'say "hi"'],
      ['x\ny', 'z'],
      ['last', 'row'],
    ]);
  });

  it('trims whitespace around fields but keeps it inside quotes, and keeps a quote inside an unquoted field', () => {
    expect(parseCsv(' a.jpg , "Powell, Colin" ,O"Brien\n"  spaced  ",x\n')).toEqual([
      ['a.jpg', 'Powell, Colin', 'O"Brien'],
      ['  spaced  ', 'x'],
    ]);
  });

  it('leaves out blank rows and keeps rows of different lengths for the caller to check', () => {
    expect(parseCsv('a,b\n\n  ,  \n,,\nc\nd,e,f\n')).toEqual([['a', 'b'], ['c'], ['d', 'e', 'f']]);
  });

  it('refuses a quote that is never closed, or text after a closing quote, as VALIDATION naming the line', () => {
    expect(() => parseCsv('a,b\nc,"d\n')).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/quote.*line 2/i) }),
    );
    expect(() => parseCsv('"abc"def,x\n')).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/closing quote.*line 1/i) }),
    );
  });

  it('refuses a NUL character in a manifest as VALIDATION naming its line', () => {
    expect(() => parseCsv('file,names\na.jpg,Colin Powell\nb.jpg,Tony\u0000Blair\n')).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: 'the CSV holds a NUL character (line 3)' }),
    );
  });
});
