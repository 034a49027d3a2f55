/** A PEM block: its label (`CERTIFICATE`, `PKCS7`, …) and DER bytes. */
export interface PemBlock {
  label: string;
  der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/**
 * Every PEM block in a text, in order. RFC 7468 "lax" parsing: whitespace anywhere in the base64,
 * explanatory text between blocks ignored. A block whose body is not plain base64 (bad characters,
 * RFC 1421 headers such as `Proc-Type:`) is returned with an empty `der`, so callers can say why.
 */
export function decodePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1] ?? '';
    const body = (match[2] ?? '').replace(/\s/g, '');
    const valid = body.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(body);
    blocks.push({ label, der: valid ? new Uint8Array(Buffer.from(body, 'base64')) : new Uint8Array(0) });
  }
  return blocks;
}

/** Whether bytes look like PEM text (optional BOM and whitespace, then `-----BEGIN `). */
export function looksLikePem(bytes: Uint8Array): boolean {
  const head = new TextDecoder()
    .decode(bytes.subarray(0, 64))
    .replace(/^\uFEFF/, '')
    .trimStart();
  return head.startsWith('-----BEGIN ');
}

/** Whether bytes start like a DER SEQUENCE (what certificates and CMS structures are). */
export function looksLikeDer(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x30;
}
