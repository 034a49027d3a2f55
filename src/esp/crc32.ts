/**
 * CRC-32 as used by GPT (IEEE 802.3, reflected polynomial 0xEDB88320, initial value and final XOR
 * 0xFFFFFFFF). Node has `zlib.crc32` only from v22, so it is implemented here.
 */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes`; pass a previous result as `crc` to continue over several chunks. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (const byte of bytes) c = (TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function formatCrc32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
