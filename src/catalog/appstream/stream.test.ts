import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { CapstanError } from '../../core/errors.js';
import { type CatalogSummary, type Component, parseCatalog } from './index.js';
import { AppstreamParser } from './parse.js';

const sample = (name: string): string =>
  fs.readFileSync(new URL(`../../../test/catalogs/appstream/${name}`, import.meta.url), 'utf8');

const CATALOGS = ['lvfs-example.xml', 'catalog-shapes.xml', 'requirements.xml'];

async function* chunks(bytes: Uint8Array, sizes: () => number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; ) {
    const size = Math.max(1, sizes());
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function collect(
  input: string | Uint8Array | AsyncIterable<Uint8Array>,
): Promise<{ components: Component[]; summary: CatalogSummary }> {
  const components: Component[] = [];
  const summary = await parseCatalog(input, (c) => components.push(c));
  return { components, summary };
}

describe('streaming', () => {
  it.each(CATALOGS)('1-byte chunks of %s give exactly what the whole string gives', async (name) => {
    const text = sample(name);
    const whole = await collect(text);
    const bytewise = await collect(chunks(new TextEncoder().encode(text), () => 1));
    expect(bytewise).toEqual(whole);
    expect(whole.components.length).toBeGreaterThan(0);
  });

  it('random chunk sizes split multi-byte characters without changing the result', async () => {
    const text = sample('catalog-shapes.xml');
    expect(text).toMatch(/[ö✓—]/);
    const whole = await collect(text);
    let seed = 11;
    const sizes = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return 1 + (seed % 13);
    };
    for (let round = 0; round < 20; round++) {
      expect(await collect(chunks(Buffer.from(text, 'utf8'), sizes))).toEqual(whole);
    }
  });

  it('a stream that ends early is metainfo-invalid', async () => {
    const bytes = new TextEncoder().encode(sample('lvfs-example.xml'));
    const cut = bytes.subarray(0, bytes.length - 40);
    await expect(collect(chunks(cut, () => 64))).rejects.toMatchObject({ code: 'metainfo-invalid' });
  });

  it('a stream that ends inside a multi-byte character is metainfo-invalid', async () => {
    const bytes = Buffer.from('<components><component type="firmware"><id>✓', 'utf8');
    await expect(collect(chunks(bytes.subarray(0, bytes.length - 1), () => 5))).rejects.toMatchObject({
      code: 'metainfo-invalid',
      message: expect.stringMatching(/not valid UTF-8 at the end of the input/),
    });
  });

  it('a stream that yields something other than bytes is metainfo-invalid', async () => {
    async function* strings(): AsyncGenerator<unknown> {
      yield '<components/>';
    }
    await expect(collect(strings() as AsyncIterable<Uint8Array>)).rejects.toBeInstanceOf(CapstanError);
  });
});

/** An LVFS-like component with `releases` releases (about 1.4 KiB each, as on the LVFS), as UTF-8 text. */
function generatedComponent(index: number, releases: number): string {
  const hex = (n: number, width: number): string =>
    (n >>> 0)
      .toString(16)
      .padStart(8, '0')
      .repeat(width / 8);
  const guid = `${hex(index, 8)}-e7f0-4e7d-acc5-${hex(index * 7, 8)}abcd`;
  const parts = [
    '  <component type="firmware">\n',
    `    <id>com.example.device${index}.firmware</id>\n`,
    `    <name>Device ${index} Update</name>\n`,
    `    <name xml:lang="de">Gerät ${index} Aktualisierung</name>\n`,
    `    <summary>Firmware for the Example device ${index}</summary>\n`,
    `    <provides><firmware type="flashed">${guid}</firmware></provides>\n`,
    '    <url type="homepage">https://example.com/</url>\n',
    '    <metadata_license>CC0-1.0</metadata_license>\n',
    '    <project_license>proprietary</project_license>\n',
    '    <developer_name>Example Inc.</developer_name>\n',
    '    <categories><category>X-System</category></categories>\n',
    '    <custom><value key="LVFS::VersionFormat">quad</value>',
    '<value key="LVFS::UpdateProtocol">org.uefi.capsule</value></custom>\n',
    '    <requires><id compare="ge" version="1.9.8">org.freedesktop.fwupd</id>',
    '<firmware compare="eq" version="DMI:Example Inc.">vendor-id</firmware>',
    '<hardware>8a4b2c6e-1f3d-5e7a-9b0c-2d4e6f8a0b1c</hardware></requires>\n',
    '    <releases>\n',
  ];
  for (let r = 0; r < releases; r++) {
    const version = `0.1.${index % 100}.${releases - r}`;
    const cab = `${hex(index * 31 + r, 8)}-Device${index}-${version}.cab`;
    parts.push(
      `      <release version="${version}" timestamp="${1700000000 + index * 1000 + r}" urgency="high" install_duration="120" id="${index * 10 + r}">\n`,
      `        <location>https://fwupd.org/downloads/${cab}</location>\n`,
      `        <checksum type="sha1" filename="${cab}" target="container">${hex(index + r, 40)}</checksum>\n`,
      `        <checksum type="sha256" filename="${cab}" target="container">${hex(index * 3 + r, 64)}</checksum>\n`,
      `        <checksum type="sha256" filename="firmware.bin" target="content">${hex(index * 5 + r, 64)}</checksum>\n`,
      '        <size type="installed">16777216</size>\n',
      '        <size type="download">9032117</size>\n',
      '        <description><p>This release fixes suspend, resume and a number of issues reported by users.</p>',
      '<p>The update takes about two minutes. Keep the system connected to AC power and do not turn it off ',
      'while the update is applied; the system restarts twice. Settings stored in the firmware are kept.</p>',
      '<ul><li>Security fixes</li><li>Improved battery life</li></ul></description>\n',
      `        <url type="details">https://example.com/device${index}/${version}</url>\n`,
      '        <issues><issue type="cve">CVE-2024-00000</issue><issue type="cve">CVE-2024-00001</issue></issues>\n',
      '      </release>\n',
    );
  }
  parts.push('    </releases>\n  </component>\n');
  return parts.join('');
}

async function* generatedCatalog(
  components: number,
  releases: number,
  counter: { bytes: number },
): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  const emit = (text: string): Uint8Array => {
    const bytes = encoder.encode(text);
    counter.bytes += bytes.length;
    return bytes;
  };
  yield emit('<?xml version="1.0" encoding="UTF-8"?>\n<components origin="lvfs" version="0.9">\n');
  let buffer = '';
  for (let i = 0; i < components; i++) {
    buffer += generatedComponent(i, releases);
    if (buffer.length >= 64 * 1024) {
      yield emit(buffer);
      buffer = '';
    }
  }
  yield emit(`${buffer}</components>\n`);
}

describe('a large generated catalog', () => {
  it('keeps the saxes parser a fast-properties object (an eighth handler made parsing 7x slower)', () => {
    v8.setFlagsFromString('--allow-natives-syntax');
    const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (o: object) => boolean;
    v8.setFlagsFromString('--no-allow-natives-syntax');
    const probe = { a: 1 };
    expect(hasFastProperties(probe)).toBe(true);
    expect(hasFastProperties(new AppstreamParser('catalog', () => undefined).sax)).toBe(true);
    expect(hasFastProperties(new AppstreamParser('metainfo', () => undefined).sax)).toBe(true);
  });

  it('streams 5,000 components x 8 releases in bounded time and memory', async () => {
    const counter = { bytes: 0 };
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let releases = 0;
    let last: Component | undefined;
    const started = performance.now();
    const summary = await parseCatalog(generatedCatalog(5000, 8, counter), (component) => {
      releases += component.releases.length;
      last = component;
      if (releases % 4000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    });
    const elapsed = performance.now() - started;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    const mib = counter.bytes / 1024 / 1024;
    const heapMib = (peak - baseline) / 1024 / 1024;
    process.stdout.write(
      `appstream: parsed ${summary.components} components / ${releases} releases, ${mib.toFixed(1)} MiB of XML in ${elapsed.toFixed(0)} ms (${(mib / (elapsed / 1000)).toFixed(1)} MiB/s), heap growth ${heapMib.toFixed(1)} MiB\n`,
    );
    expect(summary).toMatchObject({ components: 5000, skipped: 0 });
    expect(releases).toBe(40000);
    expect(last?.id).toBe('com.example.device4999.firmware');
    expect(last?.name).toBe('Device 4999 Update');
    expect(last?.releases[0]?.description).toBe(
      'This release fixes suspend, resume and a number of issues reported by users.\n\n' +
        'The update takes about two minutes. Keep the system connected to AC power and do not turn it off ' +
        'while the update is applied; the system restarts twice. Settings stored in the firmware are kept.\n\n' +
        '- Security fixes\n- Improved battery life',
    );
    expect(mib).toBeGreaterThan(50);
    expect(elapsed).toBeLessThan(10_000);
    // Nothing but the component in hand is retained: the heap must not grow with the document.
    expect(heapMib).toBeLessThan(mib * 2);
    expect(heapMib).toBeLessThan(150);
  }, 60_000);
});
