import { CapstanError } from '../core/errors.js';
import { parseGuidBytes } from '../efi/guid.js';
import {
  CAPSULE_HEADER_MIN_SIZE,
  FMP_CAPSULE_GUID,
  FWUPD_CAPSULE_HEADER_SIZE,
  fixupCapsuleFlags,
  formatCapsuleHeader,
  parseCapsuleHeader,
} from '../efi/structs/capsule-header.js';

export type CapsuleLayout =
  | { kind: 'headered'; reason: 'starts-with-device-guid' | 'starts-with-fmp-guid'; headerSize: number; flags: number }
  | { kind: 'raw'; header: Uint8Array; flags: number };

/**
 * Decides what goes on the ESP for a payload, as fwupd 2.0.20 does (uefi-capsule-update.md §6):
 * a payload that already starts with the device's fw_class or the FMP capsule GUID is written
 * unchanged; any other payload gets a 4096-byte EFI_CAPSULE_HEADER (fw_class, 4096, the fixed-up
 * device capsule flags, payload + 4096) in front. Needs only the first bytes and the size, so the
 * payload itself can be streamed.
 */
export function planCapsuleLayout(
  firstBytes: Uint8Array,
  payloadSize: number,
  fwClass: string,
  esrtCapsuleFlags: number,
): CapsuleLayout {
  if (payloadSize < 16 || firstBytes.length < 16) {
    throw new CapstanError('capsule-invalid', `payload of ${payloadSize} bytes is too small to be a capsule`, {
      hint: 'the cabinet\u2019s payload is not firmware; check it came from the device vendor',
    });
  }
  const flags = fixupCapsuleFlags(esrtCapsuleFlags);
  const leading = parseGuidBytes(firstBytes, 0);
  if (leading === fwClass.toLowerCase() || leading === FMP_CAPSULE_GUID) {
    const header = parseCapsuleHeader(firstBytes);
    if (header.headerSize < CAPSULE_HEADER_MIN_SIZE || header.headerSize > payloadSize) {
      throw new CapstanError(
        'capsule-invalid',
        `capsule header size ${header.headerSize} is outside 28..${payloadSize}`,
        {
          hint: 'the capsule is malformed; re-download it or report it to the vendor',
        },
      );
    }
    if (header.capsuleImageSize > payloadSize) {
      // fwupd-efi (main) refuses CapsuleImageSize > file size: the helper would not apply it.
      throw new CapstanError(
        'capsule-invalid',
        `capsule image size ${header.capsuleImageSize} is larger than the ${payloadSize}-byte file`,
        { hint: 'the capsule is truncated; re-download it' },
      );
    }
    return {
      kind: 'headered',
      reason: leading === FMP_CAPSULE_GUID ? 'starts-with-fmp-guid' : 'starts-with-device-guid',
      headerSize: header.headerSize,
      flags: header.flags,
    };
  }
  const total = payloadSize + FWUPD_CAPSULE_HEADER_SIZE;
  if (total > 0xffffffff) {
    throw new CapstanError('capsule-invalid', `payload of ${payloadSize} bytes does not fit a capsule header`, {
      hint: 'capsules are limited to 4 GiB',
    });
  }
  return {
    kind: 'raw',
    flags,
    header: formatCapsuleHeader({
      capsuleGuid: fwClass,
      headerSize: FWUPD_CAPSULE_HEADER_SIZE,
      flags,
      capsuleImageSize: total,
    }),
  };
}
