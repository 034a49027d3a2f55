/**
 * The MS-CAB CFDATA checksum (reference §5): XOR of the data as little-endian 32-bit words, the
 * 1–3 trailing bytes folded in first-byte-highest, then the header word `cbData | cbUncomp << 16`.
 */
export function computeCabChecksum(data: Uint8Array, cbUncomp: number): number {
  const length = data.byteLength;
  const words = length >>> 2;
  let c = xorWords(data, words);
  const tail = words << 2;
  switch (length & 3) {
    case 3:
      c ^= ((data[tail] ?? 0) << 16) | ((data[tail + 1] ?? 0) << 8) | (data[tail + 2] ?? 0);
      break;
    case 2:
      c ^= ((data[tail] ?? 0) << 8) | (data[tail + 1] ?? 0);
      break;
    case 1:
      c ^= data[tail] ?? 0;
      break;
  }
  c ^= (length & 0xffff) | ((cbUncomp & 0xffff) << 16);
  return c >>> 0;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * XOR of the first `words` little-endian u32 words of `data`, read through an Int32Array view (no
 * copy) whatever `data`'s alignment: XOR works lane by lane, so the XOR of the aligned words inside
 * the range, rotated left by 8 bits per byte skipped to reach alignment, is the XOR of the words
 * counted from `data`'s start; the few bytes outside the aligned words are folded in by lane.
 */
function xorWords(data: Uint8Array, words: number): number {
  if (!LITTLE_ENDIAN) return xorWordsDataView(data, words);
  const end = words << 2;
  const head = (4 - (data.byteOffset & 3)) & 3;
  let c = 0;
  let i = 0;
  if (end >= head + 4) {
    const count = (end - head) >>> 2;
    const view = new Int32Array(data.buffer, data.byteOffset + head, count);
    let aligned = 0;
    let k = 0;
    for (; k + 4 <= count; k += 4) {
      aligned ^= (view[k] ?? 0) ^ (view[k + 1] ?? 0) ^ (view[k + 2] ?? 0) ^ (view[k + 3] ?? 0);
    }
    for (; k < count; k++) aligned ^= view[k] ?? 0;
    const shift = head << 3;
    c = shift === 0 ? aligned : (aligned << shift) | (aligned >>> (32 - shift));
    for (; i < head; i++) c ^= (data[i] ?? 0) << (i << 3);
    i = head + (count << 2);
  }
  for (; i < end; i++) c ^= (data[i] ?? 0) << ((i & 3) << 3);
  return c;
}

function xorWordsDataView(data: Uint8Array, words: number): number {
  let c = 0;
  const view = new DataView(data.buffer, data.byteOffset, words << 2);
  const end = words << 2;
  let i = 0;
  for (; i + 16 <= end; i += 16) {
    c ^= view.getInt32(i, true) ^ view.getInt32(i + 4, true) ^ view.getInt32(i + 8, true) ^ view.getInt32(i + 12, true);
  }
  for (; i < end; i += 4) c ^= view.getInt32(i, true);
  return c;
}
