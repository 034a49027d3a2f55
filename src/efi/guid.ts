/** EFI GUIDs as lower-case canonical strings, and their mixed-endian 16-byte encoding. */

const GUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const EFI_GLOBAL_VARIABLE_GUID = '8be4df61-93ca-11d2-aa0d-00e098032b8c';
export const ESRT_TABLE_GUID = 'b122a263-3661-4f68-9929-78f8b0d62180';
/** fwupd's vendor GUID ("FWUPDATE"): update-info variables, FWUPDATE_VERBOSE, FWUPDATE_DEBUG_LOG. */
export const FWUPDATE_GUID = '0abba7dc-e516-4167-bbf5-4d9d1c739416';
/** The UX ("Installing firmware update…") capsule GUID, also the guid of `fwupd-ux-capsule`. */
export const UX_CAPSULE_GUID = '3b8c8162-188c-46a4-aec9-be43f1d65697';
/** Capsule result variables (Capsule####, CapsuleMax, CapsuleLast), UEFI 2.10 §8.5.6. */
export const CAPSULE_REPORT_GUID = '39b68c46-f7fb-441b-b6ec-16b0f69821f3';
/** shim's variables (SbatLevelRT, SHIM_DEBUG). */
export const SHIM_LOCK_GUID = '605dab50-e046-4300-abb6-3dd810dd8b23';
/** LINUX_EFI_RANDOM_SEED_TABLE_GUID: the kernel refuses writes under it (EPERM). */
export const LINUX_EFI_RANDOM_SEED_GUID = '1ce1e5bc-7ceb-42f2-81e5-8aadf180f57b';
/** LINUX_EFI_CRASH_GUID: whitelisted by the kernel (never immutable, no validation). */
export const LINUX_EFI_CRASH_GUID = 'cfc8fc79-be2e-4ddc-97f0-9f98bfe298a0';

export function isGuid(text: string): boolean {
  return GUID_TEXT.test(text);
}

/** Lower-cases and validates; undefined if the text is not a GUID. */
export function tryNormalizeGuid(text: string): string | undefined {
  const lower = text.trim().toLowerCase();
  return GUID_TEXT.test(lower) ? lower : undefined;
}

/** Reads an EFI_GUID (u32 LE, u16 LE, u16 LE, 8 bytes) at `offset`. */
export function parseGuidBytes(bytes: Uint8Array, offset = 0): string {
  if (offset < 0 || offset + 16 > bytes.length) {
    throw new RangeError(`guid at offset ${offset} runs past ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 16);
  const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');
  const tail = Array.from(bytes.subarray(offset + 8, offset + 16), (b) => hex(b, 2)).join('');
  return `${hex(view.getUint32(0, true), 8)}-${hex(view.getUint16(4, true), 4)}-${hex(view.getUint16(6, true), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

/** Encodes a canonical GUID string as EFI_GUID bytes. */
export function formatGuidBytes(guid: string): Uint8Array {
  const normal = tryNormalizeGuid(guid);
  if (normal === undefined) throw new TypeError(`not a guid: ${guid}`);
  const hex = normal.replaceAll('-', '');
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint32(0, Number.parseInt(hex.slice(0, 8), 16), true);
  view.setUint16(4, Number.parseInt(hex.slice(8, 12), 16), true);
  view.setUint16(6, Number.parseInt(hex.slice(12, 16), 16), true);
  for (let i = 0; i < 8; i++) out[8 + i] = Number.parseInt(hex.slice(16 + i * 2, 18 + i * 2), 16);
  return out;
}
