import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CapstanError } from '../../core/errors.js';
import { parseCatalog, parseMetainfo } from './index.js';

const sample = (name: string): string =>
  fs.readFileSync(new URL(`../../../test/catalogs/appstream/${name}`, import.meta.url), 'utf8');

const EXAMPLE = sample('lvfs-example.xml');
const METAINFO = sample('metainfo-signed.xml');
const SHA1 = '0CB97167AA3840658AA340B03A8D58A67CC70B90';

/** The error a parse ends with, or undefined when it succeeds. */
async function catalogError(input: string | Uint8Array): Promise<unknown> {
  try {
    await parseCatalog(input, () => undefined);
    return undefined;
  } catch (error) {
    return error;
  }
}

function metainfoError(input: string | Uint8Array): unknown {
  try {
    parseMetainfo(input);
    return undefined;
  } catch (error) {
    return error;
  }
}

function expectInvalid(error: unknown, message?: RegExp): CapstanError {
  expect(error).toBeInstanceOf(CapstanError);
  const capstan = error as CapstanError;
  expect(capstan.code).toBe('metainfo-invalid');
  expect(capstan.exitStatus).toBe(11);
  expect(capstan.hint).toMatch(/^[^\n]+$/);
  expect(capstan.message).toMatch(/^[a-z]/);
  expect(capstan.message).not.toMatch(/\.$/);
  if (message !== undefined) expect(capstan.message).toMatch(message);
  return capstan;
}

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('malformed catalogs are metainfo-invalid, naming component, release and line', () => {
  it.each([
    [
      'a checksum one digit short',
      EXAMPLE.replace(SHA1, SHA1.slice(1)),
      /release 0\.1\.0\.54 \(line 26\): sha1 container checksum has 39 hex digits, expected 40$/,
    ],
    ['a checksum one digit long', EXAMPLE.replace(SHA1, `${SHA1}0`), /has 41 hex digits, expected 40/],
    [
      'a sha256 type on a sha1 value',
      EXAMPLE.replace('type="sha1"', 'type="sha256"'),
      /sha256 container checksum has 40 hex digits, expected 64/,
    ],
    ['non-hex checksum', EXAMPLE.replace(SHA1, `${SHA1.slice(0, 39)}g`), /not hexadecimal/],
    [
      'unknown container checksum type',
      EXAMPLE.replace('type="sha1"', 'type="md5"'),
      /container checksum has unknown type "md5"/,
    ],
    [
      'unknown content checksum type',
      EXAMPLE.replace('type="sha256" filename="firmware.bin"', 'type="blake3" filename="firmware.bin"'),
      /content checksum has unknown type "blake3"/,
    ],
    [
      'a typeless checksum of no known length',
      EXAMPLE.replace(
        `type="sha1" filename="3f1c5be9-Laptop13-0.1.0.54.cab" target="container">${SHA1}`,
        `target="container">${SHA1.slice(0, 32)}`,
      ),
      /no type and 32 characters/,
    ],
    ['a non-integer size', EXAMPLE.replace('16777216', '16 MiB'), /size \(installed\) is not an integer: "16 MiB"/],
    ['a fractional size', EXAMPLE.replace('16777216', '1.5'), /is not an integer/],
    ['a negative size', EXAMPLE.replace('9032117', '-9032117'), /size \(download\) is negative/],
    ['an empty size', EXAMPLE.replace('9032117', ''), /is not an integer: ""/],
    ['a size beyond 2^53', EXAMPLE.replace('9032117', '99999999999999999999'), /too large/],
    [
      'a non-integer timestamp',
      EXAMPLE.replace('timestamp="1718000000"', 'timestamp="yesterday"'),
      /release timestamp is not an integer/,
    ],
    [
      'a release without version',
      EXAMPLE.replace('version="0.1.0.54" ', ''),
      /component com\.example\.laptop13\.system\.firmware \(line 24\): release has no version/,
    ],
    [
      'a release with an empty version',
      EXAMPLE.replace('version="0.1.0.54" ', 'version=" " '),
      /release has no version/,
    ],
    [
      'a location with spaces',
      EXAMPLE.replace('https://fwupd.org/downloads/', 'https://fwupd.org/my downloads/'),
      /<location> contains whitespace/,
    ],
    [
      'an empty location',
      EXAMPLE.replace(/<location>[^<]*<\/location>/, '<location> </location>'),
      /<location> is empty/,
    ],
    [
      'a location without a container checksum',
      EXAMPLE.replace(/<checksum [^>]*target="container">[^<]*<\/checksum>/g, ''),
      /release 0\.1\.0\.54 \(line 24\): release has a location but no container checksum/,
    ],
    [
      'a component without id',
      EXAMPLE.replace('<id>com.example.laptop13.system.firmware</id>', ''),
      /component starting at line 4 \(line 4\): component has no <id>/,
    ],
    ['an empty id', EXAMPLE.replace('com.example.laptop13.system.firmware</id>', '</id>'), /component <id> is empty/],
    [
      'a bad component priority',
      EXAMPLE.replace('<component type="firmware">', '<component type="firmware" priority="high">'),
      /component priority is not an integer/,
    ],
  ])('%s', async (_name, xml, message) => {
    expectInvalid(await catalogError(xml), message);
  });

  it('puts the line and ids into the details', async () => {
    const error = expectInvalid(await catalogError(EXAMPLE.replace(SHA1, SHA1.slice(1))));
    expect(error.details).toEqual({
      line: 26,
      componentId: 'com.example.laptop13.system.firmware',
      releaseVersion: '0.1.0.54',
    });
  });
});

describe('malformed XML is metainfo-invalid, never another exception', () => {
  it.each([
    ['empty input', '', /root element/],
    ['only whitespace', '  \n', /root element/],
    ['text, not XML', 'firmware, please', /malformed XML/],
    ['the wrong root', METAINFO, /expected a <components> root element, found <component>/],
    [
      'an HTML page',
      '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>',
      /document type declarations are refused/,
    ],
    ['a lower-case doctype', '<!doctype html><html></html>', /malformed XML/],
    ['two roots', '<components/><components/>', /malformed XML/],
    ['an unclosed element', '<components><component type="firmware"><id>x</id></components>', /malformed XML/],
    ['a mismatched close', '<components></component>', /malformed XML/],
    [
      'an undefined entity',
      EXAMPLE.replace('Example Inc.</developer_name>', 'Example&nbsp;Inc.</developer_name>'),
      /malformed XML/,
    ],
    ['a duplicate attribute', EXAMPLE.replace('urgency="high"', 'urgency="high" urgency="low"'), /malformed XML/],
    ['a NUL character reference', EXAMPLE.replace('Fixes suspend.', 'Fixes&#0;suspend.'), /malformed XML/],
    [
      'a declared encoding other than UTF-8',
      EXAMPLE.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
      /only UTF-8 is read/,
    ],
  ])('%s', async (_name, xml, message) => {
    expectInvalid(await catalogError(xml), message);
  });

  it('refuses a DOCTYPE outright: billion laughs', async () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE components [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<components><component type="firmware"><id>&lol3;</id></component></components>`;
    expectInvalid(await catalogError(laughs), /\(line 6\): document type declarations are refused/);
  });

  it('refuses a DOCTYPE outright: an external entity (XXE)', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE component [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<component type="firmware"><id>&xxe;</id></component>`;
    expectInvalid(metainfoError(xxe), /document type declarations are refused/);
  });

  it('fails every truncation of a catalog (saxes reports it at close)', async () => {
    const end = EXAMPLE.lastIndexOf('</components>') + '</components>'.length;
    let failures = 0;
    for (let cut = 0; cut < end; cut++) {
      expectInvalid(await catalogError(EXAMPLE.slice(0, cut)));
      failures++;
    }
    expect(failures).toBe(end);
    expect(await catalogError(EXAMPLE.slice(0, end))).toBeUndefined();
  });

  it('fails every truncation of a metainfo', () => {
    const end = METAINFO.lastIndexOf('</component>') + '</component>'.length;
    for (let cut = 0; cut < end; cut += 7) expectInvalid(metainfoError(METAINFO.slice(0, cut)));
  });

  it('rejects bytes that are not UTF-8', async () => {
    const latin1 = Buffer.from(
      EXAMPLE.replace('Example Inc.</developer_name>', 'Exémple Inc.</developer_name>'),
      'latin1',
    );
    expectInvalid(await catalogError(latin1), /not valid UTF-8/);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(EXAMPLE, 'utf16le')]);
    expectInvalid(await catalogError(utf16), /not valid UTF-8|malformed XML/);
    const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xfe]);
    expectInvalid(await catalogError(gzip), /not valid UTF-8/);
    expectInvalid(metainfoError(Buffer.from([0x3c, 0x63, 0xc3, 0x28, 0x3e])), /not valid UTF-8/);
  });

  it('rejects random garbage bytes', async () => {
    const next = random(7);
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(next() * 300) }, () => Math.floor(next() * 256));
      expectInvalid(await catalogError(bytes));
      expectInvalid(metainfoError(bytes));
    }
  });

  it('survives seeded mutations of every sample: a result or metainfo-invalid, nothing else', async () => {
    const samples = ['lvfs-example.xml', 'catalog-shapes.xml', 'requirements.xml'].map(sample);
    const metainfos = ['metainfo-signed.xml', 'metainfo-content-only.xml'].map(sample);
    const next = random(2026);
    const tokens = ['<', '>', '/', '"', '&', '&amp;', ']]>', '<!--', 'x', ' ', '\n', '-', '0', 'sha1', '0x', '|'];
    const mutate = (text: string): string => {
      let out = text;
      const edits = 1 + Math.floor(next() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * out.length);
        const kind = next();
        if (kind < 0.4) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 8));
        else if (kind < 0.8)
          out = out.slice(0, at) + (tokens[Math.floor(next() * tokens.length)] ?? '') + out.slice(at);
        else out = out.slice(0, at) + out.slice(at).replace(/[0-9a-f]/, 'Z');
      }
      return out;
    };
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 1500; i++) {
      const text = mutate(samples[i % samples.length] ?? '');
      const error = await catalogError(text);
      if (error === undefined) accepted++;
      else {
        expectInvalid(error);
        rejected++;
      }
      const meta = metainfoError(mutate(metainfos[i % metainfos.length] ?? ''));
      if (meta !== undefined) expectInvalid(meta);
    }
    expect(accepted + rejected).toBe(1500);
    expect(rejected).toBeGreaterThan(300);
  });
});

describe('malformed cab metainfo', () => {
  it.each([
    ['a <components> root', EXAMPLE, /expected a <component> root element, found <components>/],
    [
      'a generic component',
      METAINFO.replace('<component type="firmware">', '<component type="generic">'),
      /expected <component type="firmware">, found type "generic"/,
    ],
    ['a component without type', METAINFO.replace('<component type="firmware">', '<component>'), /found type ""/],
    [
      'no provides',
      METAINFO.replace(/<provides>[\s\S]*?<\/provides>/, ''),
      /provides no <firmware type="flashed"> GUID/,
    ],
    ['no release', METAINFO.replace(/<releases>[\s\S]*<\/releases>/, ''), /component has no <release>/],
    [
      'a bad source checksum',
      METAINFO.replace('F5A8C9BF', 'F5A8C9B'),
      /sha256 content checksum has 63 hex digits, expected 64/,
    ],
    [
      'a bad binary artifact size',
      METAINFO.replace('<size type="download">9032117', '<size type="download">0x'),
      /artifact size \(download\) is not an integer/,
    ],
  ])('%s', (_name, xml, message) => {
    expectInvalid(metainfoError(xml), message);
  });

  it('does not need a location or container checksum (a cab has neither)', () => {
    expect(metainfoError(METAINFO)).toBeUndefined();
  });
});
