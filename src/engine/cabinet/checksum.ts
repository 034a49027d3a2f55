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

/** XOR of the first `words` little-endian u32 words of `data`. */
function xorWords(data: Uint8Array, words: number): number {
  let c = 0;
  if (LITTLE_ENDIAN && (data.byteOffset & 3) === 0) {
    // Aligned: a typed-array view over the same memory, no copy.
    const view = new Int32Array(data.buffer, data.byteOffset, words);
    let i = 0;
    for (; i + 4 <= words; i += 4) c ^= (view[i] ?? 0) ^ (view[i + 1] ?? 0) ^ (view[i + 2] ?? 0) ^ (view[i + 3] ?? 0);
    for (; i < words; i++) c ^= view[i] ?? 0;
    return c;
  }
  const view = new DataView(data.buffer, data.byteOffset, words << 2);
  const end = words << 2;
  let i = 0;
  for (; i + 16 <= end; i += 16) {
    c ^= view.getInt32(i, true) ^ view.getInt32(i + 4, true) ^ view.getInt32(i + 8, true) ^ view.getInt32(i + 12, true);
  }
  for (; i < end; i += 4) c ^= view.getInt32(i, true);
  return c;
}
