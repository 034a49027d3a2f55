import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { type Component, describePayload, parseMetainfo, type Release } from '../catalog/appstream/index.js';
import {
  findJcatItem,
  type JcatFile,
  mergeJcatFiles,
  parseJcat,
  type TrustAnchors,
  verifyDetachedOpenpgp,
  verifyJcatItem,
} from '../catalog/signature/index.js';
import { CapstanError } from '../core/errors.js';
import { errnoOf } from '../core/root-fs.js';
import { type CabinetIndex, type CabinetMember, extractCabinet, type MemberWriter } from './cabinet/index.js';
import { type CapsuleLayout, planCapsuleLayout } from './capsule.js';

/** Small members (metainfo, JCat, detached signatures) are read whole, up to this size. */
const SMALL_MEMBER_MAX = 4 * 1024 * 1024;
/** PKCS#7 over the payload bytes needs the bytes; larger payloads need a Target (digest) signature. */
const PAYLOAD_VERIFY_MAX = 256 * 1024 * 1024;
const HEAD_BYTES = 4096;

export interface Trust {
  status: 'trusted' | 'unsigned' | 'untrusted';
  /** Who signed, as the verifier reports it (subject / key). */
  signers: string[];
  /** Why it is not trusted. */
  reason?: string;
}

export interface FirmwareCabinet {
  file: string;
  size: number;
  sha256: string;
  sha1: string;
  index: CabinetIndex;
  component: Component;
  release: Release;
  metainfo: { member: string; trust: Trust };
  payload: {
    member: string;
    size: number;
    sha256: string;
    sha512: string;
    head: Uint8Array;
    contentChecksum: 'verified' | 'not-published';
    trust: Trust;
  };
  /** Trusted only when both the metadata and the payload carry a signature from a trust anchor. */
  trusted: boolean;
  signatureMembers: string[];
}

export interface InspectOptions {
  anchors: TrustAnchors;
  now: Date;
  /** The catalog's container checksums: checked before the cabinet is parsed at all. */
  expected?: { sha256?: string; sha1?: string };
  /** With only the metadata (directory remotes): skip the payload pass. */
  metadataOnly?: boolean;
}

/**
 * Opens a firmware cabinet the way capstan trusts it: container checksum first (before any
 * parsing), then the in-cab JCat over the metainfo before the metainfo is parsed, then the payload
 * it names: size, content checksum and signature. A checksum that does not match is always fatal
 * (`checksum-mismatch`); a missing or untrusted signature is reported, and callers decide
 * (`--allow-unsigned`). `path` is a user path (not under --root).
 */
export async function inspectFirmwareCabinet(path: string, options: InspectOptions): Promise<FirmwareCabinet> {
  const container = await hashFile(path);
  if (options.expected?.sha256 !== undefined && options.expected.sha256.toLowerCase() !== container.sha256) {
    throw mismatch(path, 'sha256', options.expected.sha256, container.sha256);
  }
  if (
    options.expected?.sha256 === undefined &&
    options.expected?.sha1 !== undefined &&
    options.expected.sha1.toLowerCase() !== container.sha1
  ) {
    throw mismatch(path, 'sha1', options.expected.sha1, container.sha1);
  }

  // Pass 1: the small members only; every block of the cabinet is still verified.
  const small = new Map<string, Uint8Array>();
  const isSmall = (m: CabinetMember): boolean => /\.(metainfo\.xml|jcat|asc|p7b)$/i.test(m.name);
  const index = await extractCabinet(
    { kind: 'file', path },
    { open: (member) => (isSmall(member) ? collect(member, small) : undefined) },
    { only: isSmall },
  );

  const metainfoName = [...small.keys()].find((name) => name.toLowerCase().endsWith('.metainfo.xml'));
  if (metainfoName === undefined) {
    throw new CapstanError('metainfo-invalid', `${path}: the cabinet has no *.metainfo.xml`, {
      hint: 'this is not a firmware cabinet (fwupd/LVFS cabinets carry firmware.metainfo.xml)',
    });
  }
  const jcatFiles: JcatFile[] = [...small.entries()]
    .filter(([name]) => name.toLowerCase().endsWith('.jcat'))
    .map(([, bytes]) => parseJcat(bytes));
  const jcat = jcatFiles.length === 0 ? undefined : mergeJcatFiles(jcatFiles);
  const metainfoBytes = small.get(metainfoName) ?? new Uint8Array();
  const metainfoTrust = await verifyMember(jcat, basename(metainfoName), metainfoBytes, options, true);

  const component = parseMetainfo(metainfoBytes);
  const release = component.releases[0];
  if (release === undefined) {
    throw new CapstanError('metainfo-invalid', `${path}: ${metainfoName} has no <release>`, {
      hint: 'the cabinet is malformed; ask the vendor for a fixed one',
    });
  }
  const described = describePayload(release);
  const payloadMember = index.members.find((m) => basename(m.name) === described.filename);
  if (payloadMember === undefined) {
    throw new CapstanError(
      'metainfo-invalid',
      `${path}: the payload ${described.filename} named by ${metainfoName} is not in the cabinet`,
      {
        hint: 'the cabinet is incomplete; download it again or ask the vendor for a fixed one',
        details: { members: index.members.map((m) => m.name) },
      },
    );
  }
  if (described.installedSize !== undefined && described.installedSize !== payloadMember.size) {
    throw new CapstanError(
      'checksum-mismatch',
      `${path}: ${payloadMember.name} is ${payloadMember.size} bytes but the metainfo says ${described.installedSize}`,
      { hint: 'the cabinet was altered after it was made; do not install it' },
    );
  }

  const base = {
    file: path,
    size: container.size,
    sha256: container.sha256,
    sha1: container.sha1,
    index,
    component,
    release,
    metainfo: { member: metainfoName, trust: metainfoTrust },
    signatureMembers: [...small.keys()].filter((n) => !n.toLowerCase().endsWith('.metainfo.xml')),
  };
  if (options.metadataOnly) {
    const payload = {
      member: payloadMember.name,
      size: payloadMember.size,
      sha256: '',
      sha512: '',
      head: new Uint8Array(),
      contentChecksum: 'not-published' as const,
      trust: { status: 'unsigned' as const, signers: [] },
    };
    return { ...base, payload, trusted: false };
  }

  // Pass 2: the payload, hashed while streaming; kept whole only if a signature needs the bytes.
  const sha256 = createHash('sha256');
  const sha512 = createHash('sha512');
  const head: Uint8Array[] = [];
  let headLength = 0;
  const keep = payloadMember.size <= PAYLOAD_VERIFY_MAX;
  const whole: Uint8Array[] = [];
  await extractCabinet(
    { kind: 'file', path },
    {
      open: () => ({
        write(chunk) {
          sha256.update(chunk);
          sha512.update(chunk);
          if (headLength < HEAD_BYTES) {
            head.push(chunk.subarray(0, HEAD_BYTES - headLength));
            headLength += Math.min(chunk.length, HEAD_BYTES - headLength);
          }
          if (keep) whole.push(chunk);
        },
        close() {},
      }),
    },
    { only: (m) => m.name === payloadMember.name },
  );
  const digests = { sha256: sha256.digest('hex'), sha512: sha512.digest('hex') };
  if (described.sha256 !== undefined && described.sha256 !== digests.sha256) {
    throw new CapstanError(
      'checksum-mismatch',
      `${path}: ${payloadMember.name} does not match the sha256 in ${metainfoName}: expected ${described.sha256}, got ${digests.sha256}`,
      {
        hint: 'the cabinet was altered after it was made; do not install it',
      },
    );
  }
  const payloadBytes = keep ? Buffer.concat(whole) : undefined;
  let payloadTrust = await verifyMember(jcat, basename(payloadMember.name), payloadBytes ?? digests, options, false);
  if (payloadTrust.status === 'unsigned') {
    const asc =
      small.get(`${payloadMember.name}.asc`) ??
      [...small.entries()].find(([n]) => basename(n) === `${basename(payloadMember.name)}.asc`)?.[1];
    if (asc !== undefined && payloadBytes !== undefined) {
      const result = await verifyDetachedOpenpgp(asc, payloadBytes, options.anchors);
      payloadTrust = result.ok
        ? { status: 'trusted', signers: result.signer === undefined ? [] : [result.signer] }
        : {
            status: 'untrusted',
            signers: [],
            reason: `detached OpenPGP signature: ${result.reason ?? 'did not verify'}`,
          };
    }
  }
  return {
    ...base,
    payload: {
      member: payloadMember.name,
      size: payloadMember.size,
      ...digests,
      head: Buffer.concat(head),
      contentChecksum: described.sha256 === undefined ? 'not-published' : 'verified',
      trust: payloadTrust,
    },
    trusted: metainfoTrust.status === 'trusted' && payloadTrust.status === 'trusted',
  };
}

/** The capsule that would go on the ESP for this cabinet and device (ESRT capsule flags). */
export function capsuleLayoutFor(cab: FirmwareCabinet, fwClass: string, esrtCapsuleFlags: number): CapsuleLayout {
  return planCapsuleLayout(cab.payload.head, cab.payload.size, fwClass, esrtCapsuleFlags);
}

async function verifyMember(
  jcat: JcatFile | undefined,
  id: string,
  payload: Uint8Array | { sha256: string; sha512: string },
  options: InspectOptions,
  metadata: boolean,
): Promise<Trust> {
  const item = jcat === undefined ? undefined : findJcatItem(jcat, id);
  if (item === undefined)
    return {
      status: 'unsigned',
      signers: [],
      reason: jcat === undefined ? 'the cabinet carries no JCat' : `the JCat has no item for ${id}`,
    };
  try {
    const result = await verifyJcatItem(item, payload, options.anchors, {
      requireChecksum: true,
      requireSignature: true,
      // fwupd checks certificate times for the metadata but not for payloads (signed long ago)
      checkTime: metadata,
      now: options.now,
    });
    return {
      status: 'trusted',
      signers: result.signatures.filter((s) => s.ok && s.signer !== undefined).map((s) => s.signer as string),
    };
  } catch (error) {
    if (!(error instanceof CapstanError)) throw error;
    if (error.code === 'checksum-mismatch') {
      throw new CapstanError(
        'checksum-mismatch',
        `${id} does not match its checksum in the cabinet\u2019s JCat: ${error.message}`,
        {
          hint: 'the cabinet was altered after it was signed; do not install it',
          cause: error,
        },
      );
    }
    if (error.code === 'signature-missing') return { status: 'unsigned', signers: [], reason: error.message };
    if (error.code === 'signature-invalid') return { status: 'untrusted', signers: [], reason: error.message };
    throw error;
  }
}

function collect(member: CabinetMember, into: Map<string, Uint8Array>): MemberWriter {
  if (member.size > SMALL_MEMBER_MAX) {
    throw new CapstanError(
      'cab-limit-exceeded',
      `${member.name} is ${member.size} bytes, over the ${SMALL_MEMBER_MAX}-byte limit for metadata`,
      {
        hint: 'the cabinet is malformed or hostile; do not install it',
      },
    );
  }
  const chunks: Uint8Array[] = [];
  return {
    write: (chunk) => {
      chunks.push(chunk);
    },
    close: () => {
      into.set(member.name, Buffer.concat(chunks));
    },
  };
}

async function hashFile(path: string): Promise<{ size: number; sha256: string; sha1: string }> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  let size = 0;
  try {
    for await (const chunk of fs.createReadStream(path, { highWaterMark: 1 << 20 })) {
      sha256.update(chunk as Buffer);
      sha1.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT')
      throw new CapstanError('file-not-found', `${path}: no such file`, { hint: 'check the cabinet path' });
    throw new CapstanError(
      code === 'EACCES' ? 'permission-denied' : 'io-error',
      `reading ${path}: ${code ?? String(error)}`,
      {
        hint: 'check that the cabinet is readable',
        cause: error,
      },
    );
  }
  return { size, sha256: sha256.digest('hex'), sha1: sha1.digest('hex') };
}

function mismatch(path: string, type: string, expected: string, actual: string): CapstanError {
  return new CapstanError(
    'checksum-mismatch',
    `${path}: ${type} is ${actual} but the catalog says ${expected.toLowerCase()}`,
    {
      hint: 'download the cabinet again; if it still differs, the file or the mirror was altered',
    },
  );
}

function basename(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
