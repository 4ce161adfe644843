/**
 * The one CSV reader (csv-parse): the claims manifest and the evaluation's pairs.csv and
 * labels.csv are read with it. RFC 4180 with a reader's leniency: a byte-order mark is dropped;
 * quoted fields may hold commas, line breaks and doubled quotes; whitespace around a field is
 * trimmed (inside quotes it is kept); a quote inside an unquoted field is an ordinary character;
 * rows may have different numbers of columns (the caller checks them); rows with nothing but
 * whitespace are left out. A file that is not CSV (a quote never closed, text after a closing
 * quote) is a VALIDATION error naming the line.
 */
import { parse } from 'csv-parse/sync';
import { invalidTextIndex, textProblem } from './domain/text.js';
import { AppError } from './errors.js';

export function parseCsv(text: string): string[][] {
  const problem = textProblem(text);
  if (problem) {
    const line = text.slice(0, invalidTextIndex(text)).split(/\r\n|\n|\r/).length;
    throw new AppError('VALIDATION', `the CSV ${problem} (line ${line})`);
  }
  try {
    return parse(text, {
      bom: true,
      trim: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      // Any line end, even mixed in one file (a manifest edited on two systems), as the hand-written readers took.
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as string[][];
  } catch (error) {
    throw new AppError('VALIDATION', (error as Error).message);
  }
}
