import type { Context } from '../../core/context.js';
import { CapstanError } from '../../core/errors.js';
import { type KeyFile, parseKeyFile } from '../../core/key-file.js';

export const REMOTES_DIR = '/etc/capstan/remotes.d';
export const REMOTE_GROUP = 'fwupd Remote';

export type RemoteKind = 'download' | 'local' | 'directory';

/** One remote, with fwupd's key names (lvfs-metadata.md §1), so an fwupd remote file can be copied. */
export interface Remote {
  id: string;
  /** System path of the .conf file. */
  file: string;
  title: string;
  enabled: boolean;
  kind: RemoteKind;
  metadataUri: string;
  /** For local and directory remotes: the system path (under --root) the URI names. */
  localPath?: string;
  firmwareBaseUri?: string;
  reportUri?: string;
  privacyUri?: string;
  refreshInterval: number;
  username?: string;
  password?: string;
  approvalRequired: boolean;
  orderBefore: string[];
  orderAfter: string[];
  automaticReports: boolean;
  automaticSecurityReports: boolean;
  noPhasedUpdates: boolean;
  /** Keys capstan does not know, kept for `get-remotes --json` so nothing is silently dropped. */
  unknownKeys: string[];
}

const KNOWN_KEYS = new Set([
  'Enabled',
  'Title',
  'MetadataURI',
  'FirmwareBaseURI',
  'ReportURI',
  'PrivacyURI',
  'RefreshInterval',
  'Username',
  'Password',
  'ApprovalRequired',
  'OrderBefore',
  'OrderAfter',
  'AutomaticReports',
  'AutomaticSecurityReports',
  'NoPhasedUpdates',
]);

/** Reads every `*.conf` in remotes.d (sorted by name); a malformed file is an error naming file and line. */
export function readRemotes(ctx: Context): Remote[] {
  const names = (ctx.fs.tryListDir(REMOTES_DIR) ?? []).filter((name) => name.endsWith('.conf'));
  const remotes: Remote[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = `${REMOTES_DIR}/${name}`;
    const text = ctx.fs.tryReadText(file);
    if (text === undefined) continue;
    const remote = parseRemote(
      name.slice(0, name.indexOf('.')),
      file,
      parseKeyFile(text, ctx.paths.display(file)),
      ctx,
    );
    const previous = seen.get(remote.id);
    if (previous !== undefined) {
      throw new CapstanError('config-invalid', `remotes ${previous} and ${file} have the same id ${remote.id}`, {
        hint: 'a remote id is the file name up to the first dot; rename one of the files',
      });
    }
    seen.set(remote.id, file);
    remotes.push(remote);
  }
  return remotes;
}

export function readRemoteKeyFile(ctx: Context, remote: Remote): KeyFile {
  return parseKeyFile(ctx.fs.tryReadText(remote.file) ?? '', ctx.paths.display(remote.file));
}

function parseRemote(id: string, file: string, keyFile: KeyFile, ctx: Context): Remote {
  const shown = ctx.paths.display(file);
  const group = keyFile.groups.get(REMOTE_GROUP);
  if (group === undefined) invalid(shown, `no [${REMOTE_GROUP}] group`);
  if (!/^[A-Za-z0-9_-]+$/.test(id))
    invalid(shown, `remote id ${JSON.stringify(id)} may only use letters, digits, - and _`);
  const get = (key: string): string | undefined => group.get(key)?.value;
  const where = (key: string): string => `${shown}:${group.get(key)?.line ?? 0}`;
  const bool = (key: string, fallback: boolean): boolean => {
    const value = get(key);
    if (value === undefined) return fallback;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    return invalid(where(key), `${key} must be true or false, got ${JSON.stringify(value)}`);
  };
  const list = (key: string): string[] =>
    (get(key) ?? '')
      .split(/[,:;]/)
      .map((item) => item.trim())
      .filter((item) => item !== '');

  const metadataUri = get('MetadataURI');
  if (metadataUri === undefined || metadataUri === '') invalid(shown, 'MetadataURI is required');
  const { kind, localPath } = classifyUri(metadataUri, where('MetadataURI'), ctx);
  const intervalText = get('RefreshInterval');
  let refreshInterval = kind === 'download' ? 86400 : 0;
  if (intervalText !== undefined) {
    if (!/^\d{1,10}$/.test(intervalText))
      invalid(where('RefreshInterval'), `RefreshInterval must be seconds, got ${JSON.stringify(intervalText)}`);
    refreshInterval = Number(intervalText);
  }
  const firmwareBaseUri = get('FirmwareBaseURI');
  if (firmwareBaseUri !== undefined && firmwareBaseUri !== '' && !/^(https?|file):\/\//.test(firmwareBaseUri)) {
    invalid(
      where('FirmwareBaseURI'),
      `FirmwareBaseURI must be an http(s) or file URI, got ${JSON.stringify(firmwareBaseUri)}`,
    );
  }
  const optional = (key: string): Partial<Record<string, string>> => {
    const value = get(key);
    return value === undefined || value === '' ? {} : { [key]: value };
  };
  const extras = {
    ...renameKey(optional('FirmwareBaseURI'), 'FirmwareBaseURI', 'firmwareBaseUri'),
    ...renameKey(optional('ReportURI'), 'ReportURI', 'reportUri'),
    ...renameKey(optional('PrivacyURI'), 'PrivacyURI', 'privacyUri'),
    ...renameKey(optional('Username'), 'Username', 'username'),
    ...renameKey(optional('Password'), 'Password', 'password'),
  };
  return {
    id,
    file,
    title: get('Title') ?? id,
    enabled: bool('Enabled', false),
    kind,
    metadataUri,
    ...(localPath === undefined ? {} : { localPath }),
    ...extras,
    refreshInterval,
    approvalRequired: bool('ApprovalRequired', false),
    orderBefore: list('OrderBefore'),
    orderAfter: list('OrderAfter'),
    automaticReports: bool('AutomaticReports', false),
    automaticSecurityReports: bool('AutomaticSecurityReports', false),
    noPhasedUpdates: bool('NoPhasedUpdates', false),
    unknownKeys: [...group.keys()].filter((key) => !KNOWN_KEYS.has(key)),
  };
}

function renameKey(record: Partial<Record<string, string>>, from: string, to: string): Partial<Record<string, string>> {
  const value = record[from];
  return value === undefined ? {} : { [to]: value };
}

function classifyUri(uri: string, where: string, ctx: Context): { kind: RemoteKind; localPath?: string } {
  if (/^https?:\/\//.test(uri)) {
    try {
      new URL(uri);
    } catch {
      invalid(where, `MetadataURI ${JSON.stringify(uri)} is not a valid URL`);
    }
    return { kind: 'download' };
  }
  if (uri.startsWith('file://')) {
    const localPath = decodeURIComponent(uri.slice('file://'.length));
    if (!localPath.startsWith('/'))
      invalid(where, `MetadataURI ${JSON.stringify(uri)} must be an absolute file:// path`);
    return { kind: ctx.fs.isDirectory(localPath) ? 'directory' : 'local', localPath };
  }
  return invalid(where, `MetadataURI ${JSON.stringify(uri)}: only http://, https:// and file:// are supported`);
}

function invalid(where: string, message: string): never {
  throw new CapstanError('config-invalid', `${where}: ${message}`, {
    hint: 'fix the remote file; it uses fwupd\u2019s keys (see docs/config.md)',
  });
}
