import { tryParseGuid, tryParseSigned } from './fields.js';
import type { CompareOp, Requirement } from './types.js';

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'glob', 'regex']);

/** `<firmware>` text values with a meaning of their own (fu-engine-requirements.c); anything else is GUIDs. */
const FIRMWARE_KEYWORDS: ReadonlySet<string> = new Set(['', 'bootloader', 'vendor-id', 'not-child']);

/** fwupd's phased_update factor range (`fu_strtoull(text, 2, 1024)`). */
const PHASED_MIN = 2;
const PHASED_MAX = 1024;

function isCompareOp(text: string): text is CompareOp {
  return COMPARE_OPS.has(text);
}

function unknown(element: string, hard: boolean, reason?: string): Requirement {
  return reason === undefined ? { kind: 'unknown', element, hard } : { kind: 'unknown', element, hard, reason };
}

/** Splits `a|b|c` into trimmed non-empty parts; undefined when any part is empty. */
function splitBar(text: string): string[] | undefined {
  const parts = text.split('|').map((part) => part.trim());
  return parts.some((part) => part === '') ? undefined : parts;
}

function parseGuidList(text: string): string[] | undefined {
  const parts = splitBar(text);
  if (parts === undefined) return undefined;
  const guids: string[] = [];
  for (const part of parts) {
    const guid = tryParseGuid(part);
    if (guid === undefined) return undefined;
    guids.push(guid);
  }
  return guids;
}

/**
 * One child of `<requires>`, `<suggests>` or `<recommends>`. Never throws: content the parser cannot read
 * (an unknown element, a bad `compare`, a malformed GUID or depth, missing text) becomes `unknown` with a
 * reason, so the planner refuses the release (hard) or needs `--force` (soft), as fwupd does at check time.
 */
export function parseRequirement(
  element: string,
  attrs: Record<string, string>,
  text: string,
  hard: boolean,
): Requirement {
  const value = text.trim();
  const compareAttr = attrs.compare;
  const version = attrs.version;
  if ((element === 'id' || element === 'firmware') && compareAttr !== undefined && !isCompareOp(compareAttr)) {
    return unknown(element, hard, `unknown compare operator "${compareAttr}"`);
  }
  const compare = compareAttr !== undefined && isCompareOp(compareAttr) ? compareAttr : undefined;
  const versioned = {
    ...(compare === undefined ? {} : { compare }),
    ...(version === undefined ? {} : { version }),
  };

  switch (element) {
    case 'id': {
      if (value === '') return unknown(element, hard, 'no component id');
      return { kind: 'id', id: value, ...versioned, hard };
    }
    case 'firmware': {
      let depth: number | undefined;
      if (attrs.depth !== undefined) {
        depth = tryParseSigned(attrs.depth);
        if (depth === undefined) return unknown(element, hard, `depth "${attrs.depth}" is not an integer`);
      }
      const common = { ...versioned, ...(depth === undefined ? {} : { depth }), hard };
      if (FIRMWARE_KEYWORDS.has(value)) return { kind: 'firmware', target: value, ...common };
      const guids = parseGuidList(value);
      if (guids === undefined) return unknown(element, hard, `"${value}" is neither a keyword nor GUIDs`);
      return { kind: 'firmware', target: guids.join('|'), guids, ...common };
    }
    case 'hardware':
    case 'not_hardware': {
      const kind = element === 'hardware' ? 'hardware' : 'not-hardware';
      if (value === '') return unknown(element, hard, 'no hardware GUID');
      const guids = parseGuidList(value);
      if (guids === undefined) return unknown(element, hard, `"${value}" is not a list of GUIDs`);
      return { kind, guids, hard };
    }
    case 'client': {
      const features = splitBar(value);
      if (value === '' || features === undefined) return unknown(element, hard, 'no client feature');
      return { kind: 'client', features, hard };
    }
    case 'phased_update': {
      const factor = tryParseSigned(value);
      return {
        kind: 'phased-update',
        attributes: { ...attrs },
        ...(value === '' ? {} : { value }),
        ...(factor !== undefined && factor >= PHASED_MIN && factor <= PHASED_MAX ? { factor } : {}),
        hard,
      };
    }
    default:
      return unknown(element, hard);
  }
}
