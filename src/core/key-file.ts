import { CapstanError } from './errors.js';

/**
 * The GLib key-file subset fwupd's remote files use: `[Group]`, `Key=Value`, `#` comments, the
 * escapes \s \n \t \r \\, localised keys (`Title[de]=`) skipped. Lines are kept so that
 * enable/disable can rewrite one value and leave the admin's comments alone.
 */
export interface KeyFile {
  groups: Map<string, Map<string, { value: string; line: number }>>;
  lines: string[];
}

export function parseKeyFile(text: string, shownPath: string): KeyFile {
  const groups = new Map<string, Map<string, { value: string; line: number }>>();
  const lines = text.split('\n');
  let current: Map<string, { value: string; line: number }> | undefined;
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trim();
    const lineNo = index + 1;
    if (line === '' || line.startsWith('#')) return;
    const group = /^\[([^\]]+)\]$/.exec(line);
    if (group !== null) {
      const name = group[1] ?? '';
      if (groups.has(name)) fail(shownPath, lineNo, `group [${name}] appears twice`);
      current = new Map();
      groups.set(name, current);
      return;
    }
    const pair = /^([A-Za-z0-9-]+)(\[[^\]]*\])?\s*=\s*(.*)$/.exec(line);
    if (pair === null)
      fail(shownPath, lineNo, `expected "Key=Value", "[Group]" or a # comment, got ${JSON.stringify(line)}`);
    if (current === undefined) fail(shownPath, lineNo, 'a key appears before any [group]');
    if (pair[2] !== undefined) return; // localised variant
    const key = pair[1] ?? '';
    if (current.has(key)) fail(shownPath, lineNo, `key ${key} appears twice`);
    current.set(key, { value: unescapeValue(pair[3] ?? '', shownPath, lineNo), line: lineNo });
  });
  return { groups, lines };
}

function unescapeValue(value: string, shownPath: string, lineNo: number): string {
  return value.replace(/\\(.?)/g, (_, ch: string) => {
    const map: Record<string, string> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };
    const out = map[ch];
    if (out === undefined) fail(shownPath, lineNo, `invalid escape \\${ch}`);
    return out;
  });
}

/** Sets `key=value` in `group`, replacing the existing line or appending it to the group. */
export function setKeyFileValue(file: KeyFile, group: string, key: string, value: string): string {
  const lines = [...file.lines];
  const existing = file.groups.get(group)?.get(key);
  if (existing !== undefined) {
    lines[existing.line - 1] = `${key}=${value}`;
    return lines.join('\n');
  }
  const header = lines.findIndex((line) => line.trim() === `[${group}]`);
  if (header === -1) return [...lines, `[${group}]`, `${key}=${value}`, ''].join('\n');
  lines.splice(header + 1, 0, `${key}=${value}`);
  return lines.join('\n');
}

function fail(shownPath: string, line: number, message: string): never {
  throw new CapstanError('config-invalid', `${shownPath}:${line}: ${message}`, {
    hint: 'fix the file: it is a key file of [Group] headers and Key=Value lines',
  });
}
