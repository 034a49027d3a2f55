import { describe, expect, it } from 'vitest';
import {
  CapstanError,
  concatBytes,
  EFI_GLOBAL_VARIABLE_GUID,
  FWUPDATE_GUID,
  formatBootOrder,
  MemoryEfiVarStore,
  type PlannedWrite,
  type StageInput,
} from '../../src/plugin-api.js';
import {
  ATTRIBUTES_0X7,
  BOOT_ENTRY_152,
  BOOT_ENTRY_SB_178,
  BOOT_NEXT_0002_FILE,
  FW_CLASS,
  FW_CLASS_BYTES,
  fromHex,
  UPDATE_INFO_226,
} from '../../test/catalogs/efi/reference-bytes.js';
import { defineMethodContract, expectUpdateInfosAccepted } from '../../test/catalogs/staging/method-contract.js';
import {
  fwupdateRecord,
  globalRecord,
  referenceInput,
  referencePayload,
  SIGNED_HELPER,
  UNSIGNED_HELPER,
} from '../../test/catalogs/staging/reference-input.js';
import { method, planNvramWrites as planRaw } from './index.js';

/** Every plan in these tests also passes fwupd-efi 1.4's acceptance rule on its update info. */
function planNvramWrites(input: StageInput): PlannedWrite[] {
  const writes = planRaw(input);
  expectUpdateInfosAccepted(writes);
  return writes;
}

const CAPSULE = `EFI/debian/fw/fwupd-${FW_CLASS}.cap`;
const UPDATE_INFO_NAME = `fwupd-${FW_CLASS}-0`;

/** `kind path-or-name` per write, for order checks. */
const outline = (writes: readonly PlannedWrite[]): string[] =>
  writes.map((w) => `${w.kind} ${w.kind === 'esp-mkdir' || w.kind === 'esp-file' ? w.path : w.name}`);

function efivar(writes: readonly PlannedWrite[], name: string): Extract<PlannedWrite, { kind: 'efivar' }> {
  const found = writes.find(
    (w): w is Extract<PlannedWrite, { kind: 'efivar' }> => w.kind === 'efivar' && w.name === name,
  );
  if (found === undefined) throw new Error(`no efivar write for ${name}`);
  return found;
}

/** The efivarfs file an efivar write produces: attributes + data. */
const efivarFile = (write: Extract<PlannedWrite, { kind: 'efivar' }>): Uint8Array =>
  concatBytes(Uint8Array.of(write.attributes, 0, 0, 0), write.data);

defineMethodContract('uefi-capsule', method, () => referenceInput());

describe('planNvramWrites: the reference example (§5.2, §6, §7)', () => {
  const writes = planNvramWrites(referenceInput());

  it('writes in fwupd\u2019s order: mkdir, capsule, update info, helper, Boot####, BootNext', () => {
    expect(outline(writes)).toEqual([
      'esp-mkdir EFI/debian/fw',
      `esp-file ${CAPSULE}`,
      `efivar ${UPDATE_INFO_NAME}`,
      'esp-file EFI/debian/fwupdx64.efi',
      'efivar Boot0002',
      'efivar BootNext',
    ]);
  });

  it('the update info is the 226-byte reference under the FWUPDATE GUID, attributes 0x7', () => {
    const info = efivar(writes, UPDATE_INFO_NAME);
    expect(info.guid).toBe(FWUPDATE_GUID);
    expect(info.attributes).toBe(7);
    expect(info.data).toEqual(UPDATE_INFO_226);
    expect(expectUpdateInfosAccepted(writes)).toBe(1);
  });

  it('Boot0002 is the 152-byte reference and BootNext the 6-byte efivarfs file for Boot0002', () => {
    const boot = efivar(writes, 'Boot0002');
    expect(boot.guid).toBe(EFI_GLOBAL_VARIABLE_GUID);
    expect(boot.data).toEqual(BOOT_ENTRY_152);
    expect(efivarFile(boot)).toEqual(concatBytes(ATTRIBUTES_0X7, BOOT_ENTRY_152));
    expect(efivarFile(efivar(writes, 'BootNext'))).toEqual(BOOT_NEXT_0002_FILE);
  });

  it('the capsule gets fwupd\u2019s 4096-byte header: fw_class, 4096, flags 0x50000, payload + 4096', () => {
    const file = writes[1];
    if (file?.kind !== 'esp-file' || file.content.kind !== 'capsule') throw new Error('expected the capsule');
    const header = file.content.header ?? new Uint8Array();
    expect(header.length).toBe(4096);
    // §6, observed for a 64-byte payload.
    expect(header.subarray(0, 28)).toEqual(concatBytes(FW_CLASS_BYTES, fromHex('00 10 00 00 00 00 05 00 40 10 00 00')));
    expect(header.subarray(28).every((b) => b === 0)).toBe(true);
    expect(file.content.size).toBe(4160);
    expect(file.content.payload).toEqual({ kind: 'bytes', bytes: referencePayload() });
    expect(file.content.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the helper is copied from the signed binary, named without .signed', () => {
    expect(writes[3]).toMatchObject({
      kind: 'esp-file',
      path: 'EFI/debian/fwupdx64.efi',
      content: { kind: 'copy', ...SIGNED_HELPER },
    });
  });
});

describe('planNvramWrites: Secure Boot (§7)', () => {
  const secureBoot = { SecureBoot: globalRecord(Uint8Array.of(1), 0x6) };

  it('loads shim with the 178-byte reference entry (optional data \\fwupdx64.efi)', () => {
    const writes = planNvramWrites(referenceInput({ vars: secureBoot, esp: withExisting('EFI/debian/shimx64.efi') }));
    expect(efivar(writes, 'Boot0002').data).toEqual(BOOT_ENTRY_SB_178);
    expect(efivar(writes, UPDATE_INFO_NAME).data).toEqual(UPDATE_INFO_226);
  });

  it('finds shim case-insensitively, as the vfat mount does', () => {
    const writes = planNvramWrites(referenceInput({ vars: secureBoot, esp: withExisting('EFI/debian/SHIMX64.EFI') }));
    expect(efivar(writes, 'Boot0002').data).toEqual(BOOT_ENTRY_SB_178);
  });

  it('takes only the signed helper, even when an unsigned one is installed', () => {
    const writes = planNvramWrites(
      referenceInput({
        vars: secureBoot,
        esp: withExisting('EFI/debian/shimx64.efi'),
        helpers: { unsigned: UNSIGNED_HELPER, signed: SIGNED_HELPER },
      }),
    );
    expect(writes.find((w) => w.kind === 'esp-file' && w.content.kind === 'copy')).toMatchObject({
      content: { systemPath: SIGNED_HELPER.systemPath },
    });
  });

  it('SecureBoot byte 0 bit 0 only: 0x02 is off', () => {
    const writes = planNvramWrites(referenceInput({ vars: { SecureBoot: globalRecord(Uint8Array.of(2), 0x6) } }));
    expect(efivar(writes, 'Boot0002').data).toEqual(BOOT_ENTRY_152);
  });
});

describe('planNvramWrites: the helper copy', () => {
  it('prefers fwupdx64.efi over .signed with Secure Boot off, as fwupd does', () => {
    const writes = planNvramWrites(referenceInput({ helpers: { unsigned: UNSIGNED_HELPER, signed: SIGNED_HELPER } }));
    expect(writes.find((w) => w.kind === 'esp-file' && w.content.kind === 'copy')).toMatchObject({
      content: { systemPath: UNSIGNED_HELPER.systemPath },
    });
  });

  it('is skipped when the ESP copy has the same sha256 (any case), done when it differs', () => {
    const same = planNvramWrites(referenceInput({ espHelperSha256: SIGNED_HELPER.sha256.toUpperCase() }));
    expect(outline(same)).not.toContain('esp-file EFI/debian/fwupdx64.efi');
    expect(outline(same)).toContain('efivar BootNext');
    const differs = planNvramWrites(referenceInput({ espHelperSha256: 'c3'.repeat(32) }));
    const copy = differs.find((w) => w.kind === 'esp-file' && w.path === 'EFI/debian/fwupdx64.efi');
    expect(copy?.reason).toContain('differs');
  });
});

describe('planNvramWrites: variables left by earlier runs (§10.5, §10.7)', () => {
  it('deletes FWUPDATE_VERBOSE and FWUPDATE_DEBUG_LOG after the capsule, before the update info', () => {
    const writes = planNvramWrites(
      referenceInput({
        vars: {
          FWUPDATE_VERBOSE: fwupdateRecord(Uint8Array.of(1)),
          FWUPDATE_DEBUG_LOG: fwupdateRecord(Uint8Array.of(0x41, 0)),
        },
      }),
    );
    expect(outline(writes).slice(0, 5)).toEqual([
      'esp-mkdir EFI/debian/fw',
      `esp-file ${CAPSULE}`,
      'efivar-delete FWUPDATE_VERBOSE',
      'efivar-delete FWUPDATE_DEBUG_LOG',
      `efivar ${UPDATE_INFO_NAME}`,
    ]);
    expect(writes[2]).toMatchObject({ guid: FWUPDATE_GUID });
  });

  it('deletes a stale fwupd-ux-capsule first: capstan stages no UX capsule', () => {
    const writes = planNvramWrites(referenceInput({ vars: { 'fwupd-ux-capsule': fwupdateRecord(UPDATE_INFO_226) } }));
    expect(outline(writes)[0]).toBe('efivar-delete fwupd-ux-capsule');
  });
});

describe('planNvramWrites: BootloaderSupportsFwupd (§3)', () => {
  it('exactly one byte 0x01: only the capsule and the update info, no helper needed', () => {
    const writes = planNvramWrites(
      referenceInput({
        vars: { BootloaderSupportsFwupd: fwupdateRecord(Uint8Array.of(1)) },
        helpers: { unsigned: undefined, signed: undefined },
      }),
    );
    expect(outline(writes)).toEqual(['esp-mkdir EFI/debian/fw', `esp-file ${CAPSULE}`, `efivar ${UPDATE_INFO_NAME}`]);
  });

  it.each([
    ['0x02', Uint8Array.of(2)],
    ['two bytes', Uint8Array.of(1, 0)],
  ])('%s does not count', (_, data) => {
    const writes = planNvramWrites(referenceInput({ vars: { BootloaderSupportsFwupd: fwupdateRecord(data) } }));
    expect(outline(writes)).toContain('efivar BootNext');
  });
});

describe('planNvramWrites: payloads (§6)', () => {
  it('a payload that starts with fw_class is written unchanged', () => {
    const bytes = concatBytes(FW_CLASS_BYTES, fromHex('1c 00 00 00 00 00 01 00 40 00 00 00'), new Uint8Array(36));
    const writes = planNvramWrites(referenceInput({ payloadBytes: bytes }));
    expect(writes[1]).toMatchObject({ kind: 'esp-file', content: { kind: 'capsule', header: null, size: 64 } });
    // The update info still carries the device capsule flags (ESRT 0 → 0x50000), not the capsule's own.
    expect(efivar(writes, UPDATE_INFO_NAME).data).toEqual(UPDATE_INFO_226);
  });

  it('ESRT flags with PERSIST_ACROSS_RESET are kept as they are', () => {
    const writes = planNvramWrites(referenceInput({ capsuleFlags: 0x10000 }));
    expect(new DataView(efivar(writes, UPDATE_INFO_NAME).data.buffer).getUint32(0x14, true)).toBe(0x10000);
  });

  it('a payload under 16 bytes is capsule-invalid, before anything is planned', () => {
    expect(() => planNvramWrites(referenceInput({ payloadBytes: new Uint8Array(15) }))).toThrow(
      expect.objectContaining({ code: 'capsule-invalid' }),
    );
  });

  it('an upper-case fw_class is written lower-case, as the ESRT spells it', () => {
    const writes = planNvramWrites(referenceInput({ fwClass: FW_CLASS.toUpperCase() }));
    expect(outline(writes)).toContain(`esp-file ${CAPSULE}`);
    expect(efivar(writes, UPDATE_INFO_NAME).data).toEqual(UPDATE_INFO_226);
  });
});

describe('planNvramWrites: the ESP', () => {
  it('creates every missing directory of EFI/<os>/fw, in order', () => {
    const writes = planNvramWrites(referenceInput({ esp: withExisting(undefined, []) }));
    expect(outline(writes).slice(0, 3)).toEqual(['esp-mkdir EFI', 'esp-mkdir EFI/debian', 'esp-mkdir EFI/debian/fw']);
    expect(efivar(writes, UPDATE_INFO_NAME).data).toEqual(UPDATE_INFO_226);
  });

  it('creates nothing when EFI/debian/fw exists', () => {
    const writes = planNvramWrites(referenceInput({ esp: withExisting('EFI/debian/fw') }));
    expect(writes.filter((w) => w.kind === 'esp-mkdir')).toEqual([]);
  });

  it('puts the directory of an ESP below its mount root into both file paths', () => {
    const input = referenceInput();
    const writes = planNvramWrites({ ...input, esp: { ...input.esp, fsPath: '/test' } });
    const info = efivar(writes, UPDATE_INFO_NAME).data;
    expect(Buffer.from(info.subarray(0x60)).toString('utf16le')).toContain('\\test\\EFI\\debian\\fw\\fwupd-');
    expect(Buffer.from(efivar(writes, 'Boot0002').data).toString('utf16le')).toContain(
      '\\test\\EFI\\debian\\fwupdx64.efi',
    );
    expect(expectUpdateInfosAccepted(writes)).toBe(1);
  });

  it('follows the <os> rule: EFI/systemd wins', () => {
    const writes = planNvramWrites(referenceInput({ esp: withExisting('EFI/systemd') }));
    expect(outline(writes)).toContain('esp-file EFI/systemd/fw/fwupd-ddc0ee61-e7f0-4e7d-acc5-c070a398838e.cap');
    expect(outline(writes)).toContain('esp-file EFI/systemd/fwupdx64.efi');
  });
});

describe('planNvramWrites: BootOrder (quirk modify-bootorder, §7)', () => {
  it('appends the entry at the end, written between Boot#### and BootNext', () => {
    const writes = planNvramWrites(referenceInput({ quirks: { modifyBootOrder: true, legacyBootmgrDesc: false } }));
    expect(outline(writes).slice(-3)).toEqual(['efivar Boot0002', 'efivar BootOrder', 'efivar BootNext']);
    expect(efivar(writes, 'BootOrder').data).toEqual(formatBootOrder([0, 1, 2]));
  });

  it('leaves BootOrder alone when it already names the entry', () => {
    const writes = planNvramWrites(
      referenceInput({
        vars: { Boot0003: globalRecord(BOOT_ENTRY_152), BootOrder: globalRecord(formatBootOrder([0, 3, 1])) },
        quirks: { modifyBootOrder: true, legacyBootmgrDesc: false },
      }),
    );
    expect(outline(writes)).not.toContain('efivar BootOrder');
  });

  it('never touches BootOrder without the quirk', () => {
    expect(outline(planNvramWrites(referenceInput()))).not.toContain('efivar BootOrder');
  });
});

describe('planNvramWrites refuses before writing anything (probe failures)', () => {
  const cases: [string, Parameters<typeof referenceInput>[0], string, RegExp][] = [
    [
      'Secure Boot without shim on the ESP',
      { vars: { SecureBoot: globalRecord(Uint8Array.of(1), 0x6) } },
      'esp-invalid',
      /shim isn't installed to EFI\/debian\/shimx64\.efi/,
    ],
    [
      'Secure Boot with only the unsigned helper',
      {
        vars: { SecureBoot: globalRecord(Uint8Array.of(1), 0x6) },
        esp: withExisting('EFI/debian/shimx64.efi'),
        helpers: { unsigned: UNSIGNED_HELPER, signed: undefined },
      },
      'unsupported-platform',
      /missing signed bootloader for secure boot/,
    ],
    [
      'no helper at all',
      { helpers: { unsigned: undefined, signed: undefined } },
      'unsupported-platform',
      /no fwupd EFI helper/,
    ],
    ['a read-only efivarfs', { efivarsWritable: false }, 'efivars-read-only', /read-only/],
    [
      'modify-bootorder without BootOrder',
      { vars: { BootOrder: null }, quirks: { modifyBootOrder: true, legacyBootmgrDesc: false } },
      'unsupported-platform',
      /needs BootOrder, which is missing/,
    ],
  ];
  it.each(cases)('%s', (_, options, code, message) => {
    const input = referenceInput(options);
    const probe = method.probe(input);
    expect(probe).toMatchObject({ supported: false, code });
    expect(probe.supported === false && probe.reason).toMatch(message);
    expect(probe.supported === false && probe.hint.length > 0).toBe(true);
    let thrown: unknown;
    try {
      method.planWrites(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CapstanError);
    expect(thrown).toMatchObject({ code });
    expect((thrown as CapstanError).message).toMatch(message);
  });

  it('efivarfs that is not available at all', () => {
    const input = referenceInput();
    const variables = new MemoryEfiVarStore(input.variables, { supported: false });
    expect(method.probe({ ...input, variables })).toMatchObject({ supported: false, code: 'efivars-unavailable' });
  });
});

/** The reference ESP plus `extra`, or exactly `only`. */
function withExisting(extra?: string, only?: string[]): ReturnType<typeof referenceInput>['esp'] {
  const base = referenceInput().esp;
  return { ...base, existing: new Set(only ?? [...base.existing, ...(extra === undefined ? [] : [extra])]) };
}
