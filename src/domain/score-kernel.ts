/**
 * The inner loop of 1:N search: one probe against every row of the reference matrix. Where the
 * dimension is a multiple of 8 it runs as WebAssembly SIMD (four float lanes, two accumulators),
 * about four times the speed of the JavaScript loop, which remains for other dimensions.
 */

/**
 * A 257-byte module, assembled by hand from this text format:
 *
 *   (func (export "scores") (param $probe i32) (param $matrix i32) (param $rows i32) (param $dim i32) (param $out i32)
 *     (local $r i32) (local $i i32) (local $bytes i32) (local $a v128) (local $b v128)
 *     bytes = dim << 2
 *     block: br_if rows == 0
 *       loop (rows): a = b = f32x4(0); i = 0
 *         loop (8 floats): a += load(probe + i) * load(matrix + i); b += load(probe + i + 16) * load(matrix + i + 16)
 *                          i += 32; br_if i < bytes
 *         a += b; f32.store(out, a[0] + a[1] + (a[2] + a[3])); out += 4; matrix += bytes
 *         br_if ++r < rows)
 *   (memory (export "memory") 1)
 */
const simdScores =
  'AGFzbQEAAAABCQFgBX9/f39/AAMCAQAFAwEAAQcTAgZtZW1vcnkCAAZzY29yZXMAAArNAQHKAQIDfwJ7IANBAnQhBwJAIAJFDQADQP0MAAAAAAAAAAAAAAAAAAAAACEI/QwAAAAAAAAAAAAAAAAAAAAAIQlBACEGA0AgCCAAIAZq/QACACABIAZq/QACAP3mAf3kASEIIAkgACAGav0AAhAgASAGav0AAhD95gH95AEhCSAGQSBqIgYgB0kNAAsgCCAJ/eQBIQggBCAI/R8AIAj9HwGSIAj9HwIgCP0fA5KSOAIAIARBBGohBCABIAdqIQEgBUEBaiIFIAJJDQALCws=';

let compiled: WebAssembly.Module | null | undefined;

function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(simdScores, 'base64'));
    } catch {
      compiled = null; // a runtime without WebAssembly SIMD
    }
  }
  return compiled;
}

/** A reference matrix (row-major, `rows` x `dimension`) and the scores of a probe against each row. */
export interface ScoreKernel {
  readonly matrix: Float32Array;
  /** Dot products of the probe with every row; the array is reused by the next call. */
  score(probe: Float32Array): Float32Array;
}

export function createScoreKernel(rows: number, dimension: number, simd = true): ScoreKernel {
  const module = simd && dimension > 0 && dimension % 8 === 0 ? simdModule() : null;
  return module ? wasmKernel(module, rows, dimension) : jsKernel(rows, dimension);
}

function wasmKernel(module: WebAssembly.Module, rows: number, dimension: number): ScoreKernel {
  const { memory, scores } = new WebAssembly.Instance(module).exports as {
    memory: WebAssembly.Memory;
    scores: (probe: number, matrix: number, rows: number, dimension: number, out: number) => void;
  };
  const bytes = (dimension + rows * dimension + rows) * 4;
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  const matrixAt = dimension * 4;
  const outAt = matrixAt + rows * dimension * 4;
  const probeView = new Float32Array(memory.buffer, 0, dimension);
  const out = new Float32Array(memory.buffer, outAt, rows);
  return {
    matrix: new Float32Array(memory.buffer, matrixAt, rows * dimension),
    score(probe) {
      probeView.set(probe);
      scores(0, matrixAt, rows, dimension, outAt);
      return out;
    },
  };
}

function jsKernel(rows: number, dimension: number): ScoreKernel {
  const matrix = new Float32Array(rows * dimension);
  const out = new Float32Array(rows);
  const tail = dimension - (dimension % 4);
  return {
    matrix,
    score(probe) {
      for (let row = 0, offset = 0; row < rows; row++, offset += dimension) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = 0; i < tail; i += 4) {
          s0 += probe[i] * matrix[offset + i];
          s1 += probe[i + 1] * matrix[offset + i + 1];
          s2 += probe[i + 2] * matrix[offset + i + 2];
          s3 += probe[i + 3] * matrix[offset + i + 3];
        }
        for (let i = tail; i < dimension; i++) s0 += probe[i] * matrix[offset + i];
        out[row] = s0 + s1 + s2 + s3;
      }
      return out;
    },
  };
}

/**
 * The first pass over a large matrix (see matching.ts): every row stored as 8-bit integers with a
 * scale of its own, a quarter of the bytes of the float matrix, which a face otherwise reads whole
 * (256 MB for 100,000 fused references). A 234-byte module, assembled with wabt's wat2wasm from
 * score-kernel8.wat beside this file; in short:
 *
 *   (func (export "scores8") (param $probe i32) (param $matrix i32) (param $rows i32) (param $dim i32) (param $out i32)
 *     per row: acc = i32x4(0); for each 16 bytes m of the row:
 *       acc += i32x4.dot_i16x8_s(load(probe16), extend_low_i8x16_s(m)) + i32x4.dot_i16x8_s(load(probe16 + 16), extend_high_i8x16_s(m))
 *     i32.store(out, acc[0] + acc[1] + acc[2] + acc[3])   (the probe is widened to 16 bits once per face)
 *   (memory (export "memory") 1)
 */
const simdScores8 =
  'AGFzbQEAAAABCQFgBX9/f39/AAMCAQAFAwEAAQcUAgZtZW1vcnkCAAdzY29yZXM4AAAKtQEBsgECA38CewJAIAJFDQADQP0MAAAAAAAAAAAAAAAAAAAAACEIQQAhBiAAIQcDQCABIAZq/QAEACEJIAggB/0ABAAgCf2HAf26Af2uASEIIAggB/0ABBAgCf2IAf26Af2uASEIIAdBIGohByAGQRBqIQYgBiADSQ0ACyAEIAj9GwAgCP0bAWogCP0bAiAI/RsDamo2AgAgBEEEaiEEIAEgA2ohASAFQQFqIQUgBSACSQ0ACwsL';

/** Approximate dot products of a probe with every row of a float matrix; see createCoarseKernel. */
export interface CoarseKernel {
  /** Per row, the dot product up to about 0.001; the array is reused by the next call. */
  score(probe: Float32Array): Float32Array;
}

/**
 * The rows of `matrix` quantised to 8 bits (a scale per row: its largest magnitude is 127), for a
 * WebAssembly SIMD pass. Null where the dimension is not a multiple of 16 or SIMD is missing.
 */
export function createCoarseKernel(matrix: Float32Array, rows: number, dimension: number): CoarseKernel | null {
  if (dimension <= 0 || dimension % 16 !== 0) return null;
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(Buffer.from(simdScores8, 'base64'));
  } catch {
    return null;
  }
  const { memory, scores8 } = new WebAssembly.Instance(module).exports as {
    memory: WebAssembly.Memory;
    scores8: (probe: number, matrix: number, rows: number, dimension: number, out: number) => void;
  };
  const matrixAt = dimension * 2;
  const outAt = matrixAt + rows * dimension;
  const pages = Math.ceil((outAt + rows * 4) / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  const quantised = new Int8Array(memory.buffer, matrixAt, rows * dimension);
  const rowScale = new Float32Array(rows);
  for (let row = 0, offset = 0; row < rows; row++, offset += dimension) {
    let largest = 0;
    for (let i = 0; i < dimension; i++) largest = Math.max(largest, Math.abs(matrix[offset + i]));
    rowScale[row] = largest / 127;
    const inverse = largest === 0 ? 0 : 127 / largest;
    for (let i = 0; i < dimension; i++) quantised[offset + i] = Math.round(matrix[offset + i] * inverse);
  }
  const probeView = new Int16Array(memory.buffer, 0, dimension);
  const raw = new Int32Array(memory.buffer, outAt, rows);
  const out = new Float32Array(rows);
  return {
    score(probe) {
      let largest = 0;
      for (let i = 0; i < dimension; i++) largest = Math.max(largest, Math.abs(probe[i]));
      const inverse = largest === 0 ? 0 : 127 / largest;
      for (let i = 0; i < dimension; i++) probeView[i] = Math.round(probe[i] * inverse);
      scores8(0, matrixAt, rows, dimension, outAt);
      const probeScale = largest / 127;
      for (let row = 0; row < rows; row++) out[row] = raw[row] * rowScale[row] * probeScale;
      return out;
    },
  };
}
