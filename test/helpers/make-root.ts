import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

/** A file's content: text, bytes, or `null` for an empty directory. */
export type TreeEntry = string | Uint8Array | null;

/**
 * Builds a throwaway machine root from `{ 'sys/firmware/efi/fw_platform_size': '64\n', ... }`,
 * optionally on top of a copy of a fixture machine, and removes it when the test finishes.
 */
export function makeRoot(tree: Record<string, TreeEntry>, base?: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-root-'));
  if (base !== undefined) fs.cpSync(base, root, { recursive: true });
  writeTree(root, tree);
  onTestFinished(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}

export function writeTree(root: string, tree: Record<string, TreeEntry>): void {
  for (const [relative, content] of Object.entries(tree)) {
    const target = path.join(root, relative);
    if (content === null) {
      fs.mkdirSync(target, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}

/** Removes paths from a tree built by makeRoot (files or whole directories). */
export function removeFromRoot(root: string, ...relatives: string[]): void {
  for (const relative of relatives) fs.rmSync(path.join(root, relative), { recursive: true, force: true });
}
