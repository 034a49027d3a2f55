/**
 * Small shared pieces of the EFI encoders and decoders: the decode-result shape, little-endian
 * access and UCS-2 strings. Decoders never throw on bad bytes; encoders throw TypeError on bad
 * arguments.
 */

/** What every strict decoder returns: the decoded fields, or the first reason the bytes are bad. */
export type Decoded<T extends object> = ({ ok: true } & T) | { ok: false; reason: string };

export function decodeFailure(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function assertUint(value: number, bits: 8 | 16 | 32, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 2 ** bits - 1) {
    throw new TypeError(`${what} must be an unsigned ${bits}-bit integer, got ${value}`);
  }
}

export function assertUint64(value: bigint, what: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > 0xffff_ffff_ffff_ffffn) {
    throw new TypeError(`${what} must be an unsigned 64-bit bigint, got ${String(value)}`);
  }
}

/**
 * UCS-2 little-endian (what UEFI calls CHAR16), optionally NUL-terminated. Refuses NUL inside the
 * text and characters outside the Basic Multilingual Plane (surrogates), which UCS-2 cannot hold.
 */
export function encodeUcs2(text: string, what: string, terminate = true): Uint8Array {
  const out = new Uint8Array((text.length + (terminate ? 1 : 0)) * 2);
  const view = dataView(out);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) throw new TypeError(`${what} contains a NUL character`);
    if (unit >= 0xd800 && unit <= 0xdfff) throw new TypeError(`${what} contains a character outside UCS-2`);
    view.setUint16(i * 2, unit, true);
  }
  return out;
}

/**
 * Reads a NUL-terminated UCS-2 string starting at `offset` and not reaching past `end`.
 * Returns the text and the offset just after the terminator, or undefined if no terminator fits.
 */
export function readUcs2z(bytes: Uint8Array, offset: number, end: number): { text: string; next: number } | undefined {
  const view = dataView(bytes);
  const units: number[] = [];
  for (let at = offset; at + 2 <= end; at += 2) {
    const unit = view.getUint16(at, true);
    if (unit === 0) return { text: unitsToString(units), next: at + 2 };
    units.push(unit);
  }
  return undefined;
}

/** Code units to a string without spreading a huge array onto the stack. */
export function unitsToString(units: readonly number[]): string {
  let text = '';
  for (let i = 0; i < units.length; i += 4096) text += String.fromCharCode(...units.slice(i, i + 4096));
  return text;
}

export function hex(value: number | bigint, width = 0): string {
  return `0x${value.toString(16).padStart(width, '0')}`;
}
