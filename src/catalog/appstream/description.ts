/** `xml:lang` absent (or the AppStream untranslated marker) means the element is the untranslated text. */
export function isUntranslated(attrs: Record<string, string>): boolean {
  const lang = attrs['xml:lang'];
  return lang === undefined || lang === '' || lang === 'C';
}

/** Whitespace other than a single space: only then is the (costlier) replace needed. */
const UNUSUAL_SPACE = /[^\S ]| {2}/;

function collapse(text: string): string {
  return (UNUSUAL_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
}

/**
 * Turns the AppStream description subset into plain text while it streams by: `<p>` paragraphs are
 * separated by a blank line, `<ul>`/`<ol>` items become "- item" lines, inline markup (`<em>`, `<code>`)
 * keeps its text, translated children (`xml:lang`) are dropped.
 */
export class DescriptionBuilder {
  private readonly blocks: string[] = [];
  private text = '';
  private items: string[] | undefined;
  /** Depth inside a translated element being dropped (0 = not dropping). */
  private dropping = 0;

  open(name: string, attrs: Record<string, string>): void {
    if (this.dropping > 0 || !isUntranslated(attrs)) {
      this.dropping++;
      return;
    }
    switch (name) {
      case 'p':
        this.flushLoose();
        break;
      case 'ul':
      case 'ol':
        this.flushLoose();
        this.items = [];
        break;
      case 'li':
        if (this.items === undefined) this.flushLoose();
        else this.text = '';
        break;
      default:
        break;
    }
  }

  close(name: string): void {
    if (this.dropping > 0) {
      this.dropping--;
      return;
    }
    switch (name) {
      case 'p':
        this.flushLoose();
        break;
      case 'li': {
        const item = collapse(this.text);
        this.text = '';
        if (item === '') break;
        if (this.items === undefined) this.blocks.push(`- ${item}`);
        else this.items.push(`- ${item}`);
        break;
      }
      case 'ul':
      case 'ol':
        if (this.items !== undefined && this.items.length > 0) this.blocks.push(this.items.join('\n'));
        this.items = undefined;
        this.text = '';
        break;
      default:
        break;
    }
  }

  addText(text: string): void {
    if (this.dropping === 0) this.text += text;
  }

  /** The plain text, or undefined when the description had none. */
  finish(): string | undefined {
    this.flushLoose();
    const result = this.blocks.join('\n\n');
    return result === '' ? undefined : result;
  }

  /** Text outside `<p>`/`<li>` (older metainfo writes bare text) becomes a paragraph of its own. */
  private flushLoose(): void {
    const paragraph = collapse(this.text);
    this.text = '';
    if (paragraph !== '') this.blocks.push(paragraph);
  }
}
