/**
 * Reference bytes from /work/shared/reference/uefi-capsule-update.md (our own shared text): the
 * dumps of fwupdtool 2.0.20's own writer. Rows the document elides ("...") are completed from the
 * fields it states; every completed row is marked.
 */

/** `'07 00 …'` rows → bytes; whitespace is ignored. */
export function fromHex(...rows: string[]): Uint8Array {
  const text = rows.join('').replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(text)) throw new Error(`bad hex: ${text}`);
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export const FW_CLASS = 'ddc0ee61-e7f0-4e7d-acc5-c070a398838e';
export const ESP_PARTUUID = '4d2f3b6a-8c1e-4f0a-9b7d-2e5c6a1f0b93';
export const CAPSULE_PATH = '\\EFI\\debian\\fw\\fwupd-ddc0ee61-e7f0-4e7d-acc5-c070a398838e.cap';
export const HELPER_PATH = '\\EFI\\debian\\fwupdx64.efi';
export const SHIM_PATH = '\\EFI\\debian\\shimx64.efi';
export const SHIM_ARGUMENT = '\\fwupdx64.efi';

/** §1: `ddc0ee61-e7f0-4e7d-acc5-c070a398838e` in mixed-endian form. */
export const FW_CLASS_BYTES = fromHex('61 ee c0 dd f0 e7 7d 4e ac c5 c0 70 a3 98 83 8e');

/** §5.2: ESP = partition 1, start 0x800, size 0x100000, GPT, that PARTUUID. 42 bytes. */
export const ESP_HARD_DRIVE_NODE = fromHex(
  '04 01 2a 00 01 00 00 00 00 08 00 00 00 00 00 00',
  '00 00 10 00 00 00 00 00 6a 3b 2f 4d 1e 8c 0a 4f',
  '9b 7d 2e 5c 6a 1f 0b 93 02 02',
);

/** §5.2: the 226-byte update-info variable data (status 1, flags 0x50000, hw_inst 0). */
export const UPDATE_INFO_226 = fromHex(
  '07 00 00 00 61 ee c0 dd f0 e7 7d 4e ac c5 c0 70', // 00 version=7, guid...
  'a3 98 83 8e 00 00 05 00 00 00 00 00 00 00 00 00', // 10 flags=0x50000, hw_inst=0
  '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00', // 20 time_attempted (zero)
  '01 00 00 00 04 01 2a 00 01 00 00 00 00 08 00 00', // 30 status=1 | HD len 42, part 1, start...
  '00 00 00 00 00 00 10 00 00 00 00 00 6a 3b 2f 4d', // 40 ...=0x800, size=0x100000, sig...
  '1e 8c 0a 4f 9b 7d 2e 5c 6a 1f 0b 93 02 02 04 04', // 50 ...GPT, GUID | FilePath node
  '80 00 5c 00 45 00 46 00 49 00 5c 00 64 00 65 00', // 60 len 0x80, "\EFI\de"
  '62 00 69 00 61 00 6e 00 5c 00 66 00 77 00 5c 00', // 70 completed: "bian\fw\"
  '66 00 77 00 75 00 70 00 64 00 2d 00 64 00 64 00', // 80 completed: "fwupd-dd"
  '63 00 30 00 65 00 65 00 36 00 31 00 2d 00 65 00', // 90 completed: "c0ee61-e"
  '37 00 66 00 30 00 2d 00 34 00 65 00 37 00 64 00', // a0 completed: "7f0-4e7d"
  '2d 00 61 00 63 00 63 00 35 00 2d 00 63 00 30 00', // b0 completed: "-acc5-c0"
  '37 00 30 00 61 00 33 00 39 00 38 00 38 00 33 00', // c0 completed: "70a39883"
  '38 00 65 00 2e 00 63 00 61 00 70 00 00 00 7f ff', // d0 "8e.cap",NUL | End
  '04 00', // e0
);

/** §7: Boot#### with Secure Boot off, 152 bytes (dplen 0x64 = 42 + 54 + 4). */
export const BOOT_ENTRY_152 = fromHex(
  '01 00 00 00 64 00 4c 00 69 00 6e 00 75 00 78 00', // 00 attrs=1, dplen=0x64, "Linux
  '20 00 46 00 69 00 72 00 6d 00 77 00 61 00 72 00', // 10  Firmwar
  '65 00 20 00 55 00 70 00 64 00 61 00 74 00 65 00', // 20 e Update
  '72 00 00 00 04 01 2a 00 01 00 00 00 00 08 00 00', // 30 r",NUL | HD(42) (as §5.2)
  '00 00 00 00 00 00 10 00 00 00 00 00 6a 3b 2f 4d', // 40 completed: HD as §5.2
  '1e 8c 0a 4f 9b 7d 2e 5c 6a 1f 0b 93 02 02 04 04', // 50 completed: HD end | 5e FilePath
  '36 00 5c 00 45 00 46 00 49 00 5c 00 64 00 65 00', // 60 len 0x36, "\EFI\de"
  '62 00 69 00 61 00 6e 00 5c 00 66 00 77 00 75 00', // 70 completed: "bian\fwu"
  '70 00 64 00 78 00 36 00 34 00 2e 00 65 00 66 00', // 80 completed: "pdx64.ef"
  '69 00 00 00 7f ff 04 00', // 90 "i",NUL | 94 End
);

/** §7: the Secure Boot variant: shim path (node 0x34, dplen 0x62) + `\fwupdx64.efi` NUL, 178 bytes. */
export const BOOT_ENTRY_SB_178 = fromHex(
  '01 00 00 00 62 00 4c 00 69 00 6e 00 75 00 78 00', // 00 attrs=1, dplen=0x62
  '20 00 46 00 69 00 72 00 6d 00 77 00 61 00 72 00', // 10
  '65 00 20 00 55 00 70 00 64 00 61 00 74 00 65 00', // 20
  '72 00 00 00 04 01 2a 00 01 00 00 00 00 08 00 00', // 30
  '00 00 00 00 00 00 10 00 00 00 00 00 6a 3b 2f 4d', // 40
  '1e 8c 0a 4f 9b 7d 2e 5c 6a 1f 0b 93 02 02 04 04', // 50 | FilePath
  '34 00 5c 00 45 00 46 00 49 00 5c 00 64 00 65 00', // 60 len 0x34, "\EFI\de"
  '62 00 69 00 61 00 6e 00 5c 00 73 00 68 00 69 00', // 70 completed: "bian\shi"
  '6d 00 78 00 36 00 34 00 2e 00 65 00 66 00 69 00', // 80 completed: "mx64.efi"
  '00 00 7f ff 04 00 5c 00 66 00 77 00 75 00 70 00', // 90 NUL | End | "\fwup"
  '64 00 78 00 36 00 34 00 2e 00 65 00 66 00 69 00', // a0 "dx64.efi"
  '00 00', // b0 NUL
);

/** §7/§13: an efivarfs file is the u32 LE attributes (0x7) followed by the data. */
export const ATTRIBUTES_0X7 = fromHex('07 00 00 00');
/** §7: the efivarfs file of BootNext pointing at Boot0002. */
export const BOOT_NEXT_0002_FILE = fromHex('07 00 00 00 02 00');
/** §9: the efivarfs file of OsIndications with FILE_CAPSULE_DELIVERY_SUPPORTED (0x4). */
export const OS_INDICATIONS_0X4_FILE = fromHex('07 00 00 00 04 00 00 00 00 00 00 00');
