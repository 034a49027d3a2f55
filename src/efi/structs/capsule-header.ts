import { CapstanError } from '../../core/errors.js';
import { formatGuidBytes, parseGuidBytes } from '../guid.js';

/** UEFI 2.10 §8.5.3 EFI_CAPSULE_HEADER: CapsuleGuid, HeaderSize u32, Flags u32, CapsuleImageSize u32. */
export const CAPSULE_HEADER_MIN_SIZE = 28;
/** fwupd prepends a page-sized header (getpagesize(), 4096 on x86-64). */
export const FWUPD_CAPSULE_HEADER_SIZE = 4096;
export const FMP_CAPSULE_GUID = '6dcbd5ed-e82d-4c44-bda1-7194199ad92a';

export const CAPSULE_FLAG_PERSIST_ACROSS_RESET = 0x10000;
export const CAPSULE_FLAG_POPULATE_SYSTEM_TABLE = 0x20000;
export const CAPSULE_FLAG_INITIATE_RESET = 0x40000;

export interface CapsuleHeader {
  capsuleGuid: string;
  headerSize: number;
  flags: number;
  capsuleImageSize: number;
}

export function parseCapsuleHeader(bytes: Uint8Array): CapsuleHeader {
  if (bytes.length < CAPSULE_HEADER_MIN_SIZE) {
    throw new CapstanError(
      'capsule-invalid',
      `capsule header needs ${CAPSULE_HEADER_MIN_SIZE} bytes, got ${bytes.length}`,
      {
        hint: 'the payload is not a UEFI capsule; check the cabinet came from the device vendor',
      },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    capsuleGuid: parseGuidBytes(bytes, 0),
    headerSize: view.getUint32(16, true),
    flags: view.getUint32(20, true),
    capsuleImageSize: view.getUint32(24, true),
  };
}

/** Encodes a header padded with zeros to `headerSize` bytes (fwupd: 4096). */
export function formatCapsuleHeader(header: CapsuleHeader): Uint8Array {
  if (header.headerSize < CAPSULE_HEADER_MIN_SIZE) throw new RangeError(`header size ${header.headerSize} < 28`);
  const out = new Uint8Array(header.headerSize);
  const view = new DataView(out.buffer);
  out.set(formatGuidBytes(header.capsuleGuid), 0);
  view.setUint32(16, header.headerSize, true);
  view.setUint32(20, header.flags >>> 0, true);
  view.setUint32(24, header.capsuleImageSize >>> 0, true);
  return out;
}

/**
 * fwupd's x86-64 fix-up of the ESRT capsule flags: when neither PERSIST_ACROSS_RESET nor
 * INITIATE_RESET is set, both are added (ESRT 0x0 → 0x50000, 0xfe → 0x500fe).
 */
export function fixupCapsuleFlags(esrtFlags: number): number {
  if ((esrtFlags & (CAPSULE_FLAG_PERSIST_ACROSS_RESET | CAPSULE_FLAG_INITIATE_RESET)) === 0) {
    return (esrtFlags | CAPSULE_FLAG_PERSIST_ACROSS_RESET | CAPSULE_FLAG_INITIATE_RESET) >>> 0;
  }
  return esrtFlags >>> 0;
}
