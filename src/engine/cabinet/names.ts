import { cabInvalid } from './cab-errors.js';

/** CFFILE attribs bit: the name is UTF-8 (gcab sets it for non-ASCII names). */
export const ATTRIB_NAME_IS_UTF = 0x80;
/** szName is at most 255 bytes plus its NUL. */
export const MAX_NAME_BYTES = 255;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes and validates one raw szName (without its NUL): printable ASCII, or UTF-8 when attribs has
 * 0x80 (no control characters either way). `\` becomes `/`; absolute paths, empty segments, `.` and
 * `..` are refused. Returns the normalised relative path.
 */
export function parseMemberName(raw: Uint8Array, attribs: number, index: number): string {
  const where = { file: index };
  if (raw.byteLength === 0) throw cabInvalid(`file ${index} has an empty name`, where);
  let name: string;
  if ((attribs & ATTRIB_NAME_IS_UTF) !== 0) {
    try {
      name = utf8.decode(raw);
    } catch {
      throw cabInvalid(`file ${index} has a name that is not valid UTF-8`, where);
    }
    for (const ch of name) {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0xfeff || cp === 0x2028 || cp === 0x2029) {
        throw cabInvalid(`file ${index} has a control character in its name: U+${hex(cp, 4)}`, where);
      }
    }
  } else {
    for (const byte of raw) {
      if (byte < 0x20 || byte > 0x7e) {
        throw cabInvalid(`file ${index} has a name that is not printable ASCII: byte 0x${hex(byte, 2)}`, where);
      }
    }
    name = String.fromCharCode(...raw);
  }
  const normalised = name.replaceAll('\\', '/');
  if (normalised.startsWith('/')) {
    throw cabInvalid(`file ${index} has an absolute name: ${JSON.stringify(name)}`, where);
  }
  for (const segment of normalised.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw cabInvalid(`file ${index} has a name with an empty, '.' or '..' segment: ${JSON.stringify(name)}`, where);
    }
  }
  return normalised;
}

/** Refuses two members with the same name, or a member whose name is another member's directory. */
export function checkNameCollisions(names: readonly string[]): void {
  const files = new Map<string, number>();
  names.forEach((name, index) => {
    const first = files.get(name);
    if (first !== undefined) {
      throw cabInvalid(`files ${first} and ${index} have the same name: ${JSON.stringify(name)}`, { file: index });
    }
    files.set(name, index);
  });
  names.forEach((name, index) => {
    let slash = name.indexOf('/');
    while (slash !== -1) {
      const parent = files.get(name.slice(0, slash));
      if (parent !== undefined) {
        throw cabInvalid(`file ${parent} is also a directory of file ${index}: ${JSON.stringify(name)}`, {
          file: index,
        });
      }
      slash = name.indexOf('/', slash + 1);
    }
  });
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}
