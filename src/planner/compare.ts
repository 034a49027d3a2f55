import { compareVersions } from '../versioning/index.js';
import type { VersionFormatId } from '../versioning/types.js';
import type { CompareOp } from './types.js';

/** fwupd's requirement comparison: version ops with the format's rules, shell globs, regexes. */
export function checkCompare(op: CompareOp, actual: string, wanted: string, format?: VersionFormatId): boolean {
  switch (op) {
    case 'eq':
      return compareVersions(actual, wanted, format) === 0;
    case 'ne':
      return compareVersions(actual, wanted, format) !== 0;
    case 'lt':
      return compareVersions(actual, wanted, format) < 0;
    case 'gt':
      return compareVersions(actual, wanted, format) > 0;
    case 'le':
      return compareVersions(actual, wanted, format) <= 0;
    case 'ge':
      return compareVersions(actual, wanted, format) >= 0;
    case 'glob':
      return globToRegExp(wanted).test(actual);
    case 'regex':
      try {
        return new RegExp(wanted).test(actual);
      } catch {
        return false;
      }
  }
}

/** `*`, `?` and `[...]` as fnmatch does; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? '';
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        out += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += ch.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

const SYMBOLS: Record<CompareOp, string> = {
  eq: '=',
  ne: '\u2260',
  lt: '<',
  gt: '>',
  le: '\u2264',
  ge: '\u2265',
  glob: 'matching',
  regex: 'matching',
};

/** `ge 1.2` → `≥ 1.2`, for messages. */
export function describeCompare(op: CompareOp, version: string): string {
  return `${SYMBOLS[op]} ${version}`;
}
