import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { CapstanError } from '../../core/errors.js';
import { isVersionFormatId, parseVersionInteger } from '../../versioning/index.js';
import { DescriptionBuilder, isUntranslated } from './description.js';
import { type Fail, isChecksumTarget, normalizeProvide, parseChecksum, parseUnsigned, truncate } from './fields.js';
import { describeDownload } from './payload.js';
import { parseRequirement } from './requirements.js';
import type { Artifact, CatalogOptions, CatalogSummary, Component, Release, Urgency } from './types.js';

type Mode = 'catalog' | 'metainfo';

/** Where an element sits; decides what its children may be and what its close does. */
type State =
  | 'catalog-root'
  | 'catalog-custom'
  | 'catalog-value'
  | 'component'
  | 'component-field'
  | 'provides'
  | 'provide'
  | 'categories'
  | 'category'
  | 'custom'
  | 'custom-value'
  | 'requirements'
  | 'requirement'
  | 'releases'
  | 'release'
  | 'release-location'
  | 'release-checksum'
  | 'release-size'
  | 'release-url'
  | 'issues'
  | 'issue'
  | 'artifacts'
  | 'artifact'
  | 'artifact-location'
  | 'artifact-checksum'
  | 'artifact-size'
  | 'artifact-filename'
  | 'description'
  | 'description-inner'
  | 'skip';

interface Frame {
  state: State;
  name: string;
  attrs: Record<string, string>;
  line: number;
  /** Direct text, collected only for states that read it. */
  text: string;
  capture: boolean;
  /** `requirements` frames: requires (true) or suggests/recommends (false). */
  hard: boolean;
}

const CAPTURE: ReadonlySet<State> = new Set<State>([
  'catalog-value',
  'component-field',
  'provide',
  'category',
  'custom-value',
  'requirement',
  'release-location',
  'release-checksum',
  'release-size',
  'release-url',
  'issue',
  'artifact-location',
  'artifact-checksum',
  'artifact-size',
  'artifact-filename',
]);

/** Component children read as plain text, with the field they fill. */
const COMPONENT_FIELDS = {
  id: 'id',
  name: 'name',
  name_variant_suffix: 'nameVariantSuffix',
  summary: 'summary',
  developer_name: 'developerName',
  project_license: 'projectLicense',
  metadata_license: 'metadataLicense',
  branch: 'branch',
  url: 'homepage',
} as const;
type ComponentField = (typeof COMPONENT_FIELDS)[keyof typeof COMPONENT_FIELDS];
const TRANSLATABLE: ReadonlySet<string> = new Set(['name', 'name_variant_suffix', 'summary', 'developer_name']);

const URGENCIES: ReadonlySet<string> = new Set<Urgency>(['low', 'medium', 'high', 'critical']);

const HINTS: Record<Mode, string> = {
  catalog: "refresh the remote's metadata; if the error persists, report it to the remote's maintainer",
  metainfo: 'the cabinet carries malformed metadata; download it again or ask the vendor for a fixed one',
};

/** A release while it is being read: which content checksum came first matters (fwupd reads the first). */
interface ReleaseDraft {
  release: Release;
  sawContentChecksum: boolean;
}

/**
 * The streaming state machine behind `parseCatalog` and `parseMetainfo`: saxes events in, one
 * `Component` at a time out. It keeps only the component being read, never a document tree.
 */
export class AppstreamParser {
  readonly summary: CatalogSummary = { components: 0, skipped: 0, custom: {} };
  /** The saxes parser (read by a test that checks it keeps V8 fast properties). */
  readonly sax = new SaxesParser({ xmlns: false, position: true });
  private readonly stack: Frame[] = [];
  private tagLine = 1;
  private sawRoot = false;
  private component: Component | undefined;
  private releaseDraft: ReleaseDraft | undefined;
  private artifact: Artifact | undefined;
  private description: DescriptionBuilder | undefined;
  private callbackError: { error: unknown } | undefined;

  constructor(
    private readonly mode: Mode,
    private readonly onComponent: (component: Component) => void,
    private readonly options: CatalogOptions = {},
  ) {
    // At most seven handlers: saxes.on() adds each as a new property, and with the eighth V8 turns the
    // parser into a dictionary-mode object: a 45 MiB catalog then took 3.6 s instead of 0.5 s. So
    // saxes errors are caught in guard() instead of by an 'error' handler, and the XML declaration is
    // checked when the root opens instead of by an 'xmldecl' handler (checked by stream.test.ts).
    this.sax.on('doctype', () => {
      throw this.invalid('document type declarations are refused (no DTDs or entity declarations)', this.sax.line);
    });
    this.sax.on('opentagstart', () => {
      this.tagLine = this.sax.line;
    });
    this.sax.on('opentag', (tag) => this.openElement(tag));
    this.sax.on('closetag', () => this.closeElement());
    this.sax.on('text', (text) => this.text(text));
    this.sax.on('cdata', (text) => this.text(text));
  }

  /** Feeds decoded text; may throw `metainfo-invalid` (or whatever `onComponent` throws). */
  write(text: string): void {
    this.guard(() => this.sax.write(text));
  }

  /** Ends the document: truncated XML fails here. */
  close(): void {
    this.guard(() => this.sax.close());
    if (!this.sawRoot) throw this.invalid('the document has no root element', this.sax.line);
  }

  /** A `metainfo-invalid` error naming the component, release and line being read. */
  invalid(message: string, line: number, cause?: unknown): CapstanError {
    const component = this.component;
    const release = this.releaseDraft?.release;
    const subject =
      component === undefined
        ? ''
        : ` component ${component.id === '' ? `starting at line ${component.line}` : component.id}${
            release === undefined ? '' : ` release ${release.version}`
          }`;
    return new CapstanError('metainfo-invalid', `${this.mode}${subject} (line ${line}): ${message}`, {
      hint: HINTS[this.mode],
      ...(cause === undefined ? {} : { cause }),
      details: {
        line,
        ...(component === undefined || component.id === '' ? {} : { componentId: component.id }),
        ...(release === undefined ? {} : { releaseVersion: release.version }),
      },
    });
  }

  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      if (error instanceof CapstanError) throw error;
      if (this.callbackError !== undefined && this.callbackError.error === error) throw error;
      // saxes reports well-formedness errors as "line:column: message." by throwing from write/close.
      const text = error instanceof Error ? error.message : String(error);
      const position = /^(\d+):\d+: /.exec(text);
      const line = position === null ? this.sax.line : Number(position[1]);
      throw this.invalid(`malformed XML: ${text.slice(position?.[0].length ?? 0).replace(/\.$/, '')}`, line, error);
    }
  }

  private failAt(line: number): Fail {
    return (message: string): never => {
      throw this.invalid(message, line);
    };
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private text(text: string): void {
    const frame = this.top();
    if (frame === undefined) return;
    if (frame.capture) frame.text += text;
    else if (this.description !== undefined && (frame.state === 'description' || frame.state === 'description-inner')) {
      this.description.addText(text);
    }
  }

  private openElement(tag: SaxesTagPlain): void {
    const { name, attributes: attrs } = tag;
    const line = this.tagLine;
    const parent = this.top();
    let hard = parent?.hard ?? false;
    let state: State;
    if (parent === undefined) {
      state = this.openRoot(name, attrs, line);
    } else {
      state = this.child(parent, name, attrs, line);
      if (state === 'requirements') hard = name === 'requires';
    }
    this.stack.push({ state, name, attrs, line, text: '', capture: CAPTURE.has(state), hard });
  }

  private openRoot(name: string, attrs: Record<string, string>, line: number): State {
    this.sawRoot = true;
    const fail = this.failAt(line);
    const encoding = this.sax.xmlDecl.encoding;
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      fail(`encoding "${encoding}" is not supported; only UTF-8 is read`);
    }
    if (this.mode === 'catalog') {
      if (name !== 'components') fail(`expected a <components> root element, found <${truncate(name)}>`);
      if (attrs.origin !== undefined) this.summary.origin = attrs.origin;
      if (attrs.version !== undefined) this.summary.version = attrs.version;
      this.callback(() => this.options.origin?.({ ...attrs }));
      return 'catalog-root';
    }
    if (name !== 'component') fail(`expected a <component> root element, found <${truncate(name)}>`);
    if (attrs.type !== 'firmware') fail(`expected <component type="firmware">, found type "${attrs.type ?? ''}"`);
    this.startComponent(attrs, line);
    return 'component';
  }

  private child(parent: Frame, name: string, attrs: Record<string, string>, line: number): State {
    switch (parent.state) {
      case 'catalog-root':
        if (name === 'component') {
          if (attrs.type !== 'firmware') {
            this.summary.skipped++;
            return 'skip';
          }
          this.startComponent(attrs, line);
          return 'component';
        }
        return name === 'custom' ? 'catalog-custom' : 'skip';
      case 'catalog-custom':
        return name === 'value' ? 'catalog-value' : 'skip';
      case 'component':
        return this.componentChild(name, attrs);
      case 'provides':
        return name === 'firmware' && attrs.type === 'flashed' ? 'provide' : 'skip';
      case 'categories':
        return name === 'category' ? 'category' : 'skip';
      case 'custom':
        return name === 'value' ? 'custom-value' : 'skip';
      case 'requirements':
        return 'requirement';
      case 'releases':
        if (name !== 'release') return 'skip';
        this.startRelease(attrs, line);
        return 'release';
      case 'release':
        return this.releaseChild(name, attrs);
      case 'issues':
        return name === 'issue' ? 'issue' : 'skip';
      case 'artifacts':
        if (name !== 'artifact' || (attrs.type !== 'binary' && attrs.type !== 'source')) return 'skip';
        this.artifact = { type: attrs.type, locations: [], checksums: [], sizes: {} };
        return 'artifact';
      case 'artifact':
        switch (name) {
          case 'location':
            return 'artifact-location';
          case 'checksum':
            return 'artifact-checksum';
          case 'size':
            return 'artifact-size';
          case 'filename':
            return 'artifact-filename';
          default:
            return 'skip';
        }
      case 'description':
      case 'description-inner':
        this.description?.open(name, attrs);
        return 'description-inner';
      default:
        return 'skip';
    }
  }

  private componentChild(name: string, attrs: Record<string, string>): State {
    switch (name) {
      case 'provides':
        return 'provides';
      case 'categories':
        return 'categories';
      case 'custom':
        return 'custom';
      case 'requires':
      case 'suggests':
      case 'recommends':
        return 'requirements';
      case 'releases':
        return 'releases';
      case 'description':
        return this.startDescription(this.component?.description, attrs);
      case 'url':
        return attrs.type === 'homepage' ? 'component-field' : 'skip';
      default:
        if (!Object.hasOwn(COMPONENT_FIELDS, name)) return 'skip';
        return TRANSLATABLE.has(name) && !isUntranslated(attrs) ? 'skip' : 'component-field';
    }
  }

  private releaseChild(name: string, attrs: Record<string, string>): State {
    switch (name) {
      case 'location':
        return 'release-location';
      case 'checksum':
        return 'release-checksum';
      case 'size':
        return 'release-size';
      case 'url':
        return 'release-url';
      case 'issues':
        return 'issues';
      case 'artifacts':
        return 'artifacts';
      case 'description':
        return this.startDescription(this.releaseDraft?.release.description, attrs);
      default:
        return 'skip';
    }
  }

  /** Only the first untranslated description is read. */
  private startDescription(existing: string | undefined, attrs: Record<string, string>): State {
    if (existing !== undefined || this.description !== undefined || !isUntranslated(attrs)) return 'skip';
    this.description = new DescriptionBuilder();
    return 'description';
  }

  private startComponent(attrs: Record<string, string>, line: number): void {
    const component: Component = {
      id: '',
      type: 'firmware',
      categories: [],
      provides: [],
      custom: {},
      requires: [],
      releases: [],
      line,
    };
    this.component = component;
    if (attrs.priority !== undefined) {
      component.priority = parseUnsigned(attrs.priority, 'component priority', this.failAt(line));
    }
  }

  private startRelease(attrs: Record<string, string>, line: number): void {
    const fail = this.failAt(line);
    const version = attrs.version;
    if (version === undefined || version.trim() === '') throw this.invalid('release has no version', line);
    const release: Release = {
      version,
      locations: [],
      checksums: [],
      sizes: {},
      artifacts: [],
      issues: [],
      line,
    };
    this.releaseDraft = { release, sawContentChecksum: false };
    if (!version.includes('.')) {
      const raw = parseVersionInteger(version.trim());
      if (raw !== undefined) release.versionRaw = raw;
    }
    if (attrs.timestamp !== undefined) release.timestamp = parseUnsigned(attrs.timestamp, 'release timestamp', fail);
    if (attrs.install_duration !== undefined) {
      release.installDuration = parseUnsigned(attrs.install_duration, 'release install_duration', fail);
    }
    if (attrs.priority !== undefined) release.priority = parseUnsigned(attrs.priority, 'release priority', fail);
    if (attrs.date !== undefined) release.date = attrs.date;
    if (attrs.id !== undefined) release.id = attrs.id;
    if (attrs.tag !== undefined) release.tag = attrs.tag;
    const urgency = attrs.urgency;
    if (urgency !== undefined && URGENCIES.has(urgency)) release.urgency = urgency as Urgency;
  }

  private closeElement(): void {
    const frame = this.stack.pop();
    if (frame === undefined) return;
    const component = this.component;
    const draft = this.releaseDraft;
    const fail = this.failAt(frame.line);
    const text = frame.text.trim();
    switch (frame.state) {
      case 'catalog-value':
        if (frame.attrs.key !== undefined) appendValue(this.summary.custom, frame.attrs.key, text);
        break;
      case 'component':
        this.finishComponent();
        break;
      case 'component-field':
        if (component !== undefined) this.setComponentField(component, frame, text, fail);
        break;
      case 'provide':
        if (component !== undefined && text !== '') {
          const guid = normalizeProvide(text);
          if (!component.provides.includes(guid)) component.provides.push(guid);
        }
        break;
      case 'category':
        if (component !== undefined && text !== '') component.categories.push(text);
        break;
      case 'custom-value':
        if (component !== undefined && frame.attrs.key !== undefined) this.setCustom(component, frame.attrs.key, text);
        break;
      case 'requirement':
        component?.requires.push(parseRequirement(frame.name, frame.attrs, frame.text, frame.hard));
        break;
      case 'release':
        this.finishRelease();
        break;
      case 'release-location':
        draft?.release.locations.push(parseLocation(text, fail));
        break;
      case 'release-checksum':
        if (draft !== undefined) this.addReleaseChecksum(draft, frame, fail);
        break;
      case 'release-size':
        if (draft !== undefined) {
          const type = frame.attrs.type;
          const size = parseUnsigned(frame.text, `size${type === undefined ? '' : ` (${type})`}`, fail);
          if ((type === 'installed' || type === 'download') && draft.release.sizes[type] === undefined) {
            draft.release.sizes[type] = size;
          }
        }
        break;
      case 'release-url':
        if (draft !== undefined && text !== '') setReleaseUrl(draft.release, frame.attrs.type, text);
        break;
      case 'issue':
        if (draft !== undefined && text !== '' && frame.attrs.type !== undefined && frame.attrs.type !== '') {
          draft.release.issues.push({ type: frame.attrs.type, id: text });
        }
        break;
      case 'artifact':
        if (draft !== undefined && this.artifact !== undefined) draft.release.artifacts.push(this.artifact);
        this.artifact = undefined;
        break;
      case 'artifact-location':
        this.artifact?.locations.push(parseLocation(text, fail));
        break;
      case 'artifact-checksum':
        if (this.artifact !== undefined && text !== '') {
          const checksum = parseChecksum(
            frame.attrs,
            text,
            this.artifact.type === 'binary' ? 'container' : 'content',
            fail,
          );
          if (checksum !== undefined) this.artifact.checksums.push(checksum);
        }
        break;
      case 'artifact-size':
        if (this.artifact !== undefined) {
          const type = frame.attrs.type;
          const size = parseUnsigned(frame.text, `artifact size${type === undefined ? '' : ` (${type})`}`, fail);
          if (type !== undefined && !Object.hasOwn(this.artifact.sizes, type))
            defineEntry(this.artifact.sizes, type, size);
        }
        break;
      case 'artifact-filename':
        if (this.artifact !== undefined && text !== '' && this.artifact.filename === undefined) {
          this.artifact.filename = text;
        }
        break;
      case 'description':
        this.finishDescription();
        break;
      case 'description-inner':
        this.description?.close(frame.name);
        break;
      default:
        break;
    }
  }

  private setComponentField(component: Component, frame: Frame, text: string, fail: Fail): void {
    const field: ComponentField | undefined =
      frame.name === 'url' ? 'homepage' : COMPONENT_FIELDS[frame.name as keyof typeof COMPONENT_FIELDS];
    if (field === undefined) return;
    if (field === 'id') {
      if (component.id !== '') return;
      if (text === '') fail('component <id> is empty');
      component.id = text;
      return;
    }
    if (component[field] === undefined && text !== '') component[field] = text;
  }

  private setCustom(component: Component, key: string, value: string): void {
    appendValue(component.custom, key, value);
    if (key === 'LVFS::VersionFormat' && isVersionFormatId(value)) component.versionFormat = value;
    if (key === 'LVFS::UpdateProtocol' && component.updateProtocol === undefined && value !== '') {
      component.updateProtocol = value;
    }
  }

  private addReleaseChecksum(draft: ReleaseDraft, frame: Frame, fail: Fail): void {
    const target = frame.attrs.target;
    // fwupd reads only checksum[@target='container'|'content'] (and 'device' elsewhere): others are not hashes of ours.
    if (target === undefined || !isChecksumTarget(target)) return;
    if (target === 'content' && !draft.sawContentChecksum) {
      draft.sawContentChecksum = true;
      const filename = frame.attrs.filename;
      if (filename !== undefined && filename !== '') draft.release.contentFilename = filename;
    }
    // An empty checksum only names a file (content) or is filled in by fwupd from the cab (container).
    if (frame.text.trim() === '') return;
    const checksum = parseChecksum(frame.attrs, frame.text, target, fail);
    if (checksum !== undefined) draft.release.checksums.push(checksum);
  }

  private finishDescription(): void {
    const text = this.description?.finish();
    this.description = undefined;
    const parent = this.top();
    if (text === undefined || parent === undefined) return;
    if (parent.state === 'release' && this.releaseDraft !== undefined) this.releaseDraft.release.description = text;
    else if (parent.state === 'component' && this.component !== undefined) this.component.description = text;
  }

  private finishRelease(): void {
    const draft = this.releaseDraft;
    const component = this.component;
    if (draft === undefined || component === undefined) return;
    const { release } = draft;
    if (this.mode === 'catalog') {
      const download = describeDownload(release);
      if (download.locations.length > 0 && download.checksums.length === 0) {
        throw this.invalid('release has a location but no container checksum to verify the download', release.line);
      }
    }
    component.releases.push(release);
    this.releaseDraft = undefined;
  }

  private finishComponent(): void {
    const component = this.component;
    if (component === undefined) return;
    const fail = this.failAt(component.line);
    if (component.id === '') fail('component has no <id>');
    if (this.mode === 'metainfo') {
      if (component.provides.length === 0) fail('component provides no <firmware type="flashed"> GUID');
      if (component.releases.length === 0) fail('component has no <release>');
    }
    this.summary.components++;
    this.component = undefined;
    this.callback(() => this.onComponent(component));
  }

  /** Runs a caller's callback; what it throws passes through untouched. */
  private callback(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.callbackError = { error };
      throw error;
    }
  }
}

/** Sets an own property even for keys such as `__proto__` (keys come from the document). */
export function defineEntry<T>(map: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

function appendValue(map: Record<string, string[]>, key: string, value: string): void {
  const values = Object.hasOwn(map, key) ? map[key] : undefined;
  if (values === undefined) defineEntry(map, key, [value]);
  else values.push(value);
}

function setReleaseUrl(release: Release, type: string | undefined, url: string): void {
  if (type === 'details') release.detailsUrl ??= url;
  else if (type === 'source') release.sourceUrl ??= url;
  else if (type === 'sbom') release.sbomUrl ??= url;
}

/** A location is one URL or relative path: no spaces, no control characters. */
function parseLocation(text: string, fail: Fail): string {
  if (text === '') fail('<location> is empty');
  if (/\s/.test(text) || hasControlCharacter(text))
    fail(`<location> contains whitespace or control characters: "${truncate(text)}"`);
  return text;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
