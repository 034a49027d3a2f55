import { describe, expect, it } from 'vitest';
import { makeRoot } from '../../test/helpers/make-root.js';
import { DEFAULT_CONFIG, readConfig } from './config.js';
import { createContext } from './context.js';

const at = (text: string) => createContext({ root: makeRoot({ 'etc/capstan/capstan.conf': text }) });

describe('capstan.conf', () => {
  it('is optional', () => {
    expect(readConfig(createContext({ root: makeRoot({ 'etc/.keep': '' }) }))).toEqual(DEFAULT_CONFIG);
  });

  it('reads every key', () => {
    expect(
      readConfig(
        at('[capstan]\nStaleCatalogDays=7\nMetadataMaxMiB=64\nTrustDirectories=/etc/capstan/pki;/etc/pki/fwupd\n'),
      ),
    ).toEqual({
      staleCatalogDays: 7,
      metadataMaxMiB: 64,
      trustDirectories: ['/etc/capstan/pki', '/etc/pki/fwupd'],
    });
  });

  it.each([
    ['[capstan]\nStaleCatalogDays=0\n', /:2: StaleCatalogDays must be a whole number from 1 to 3650/],
    ['[capstan]\nColour=yes\n', /:2: unknown key Colour/],
    ['[other]\n', /unknown group \[other\]/],
    ['[capstan]\nTrustDirectories=pki\n', /must be absolute paths/],
  ])('refuses %j', (text, message) => {
    expect(() => readConfig(at(text))).toThrow(message);
  });
});
