import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeRoot } from './make-root.js';
import { REPO } from './run-cli.js';

/** The demo machine with its local catalog installed as a remote, as `npm run demo` composes it. */
export function makeDemoRoot(): string {
  const root = makeRoot({}, path.join(REPO, 'demo/machine/root'));
  const share = path.join(root, 'usr/share/capstan/demo');
  fs.mkdirSync(share, { recursive: true });
  fs.writeFileSync(
    path.join(share, 'firmware.xml.gz'),
    gzipSync(fs.readFileSync(path.join(REPO, 'demo/catalog/firmware.xml'))),
  );
  fs.cpSync(path.join(REPO, 'demo/catalog/cabs'), path.join(share, 'cabs'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc/capstan/remotes.d'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'etc/capstan/remotes.d/demo.conf'),
    '[fwupd Remote]\nEnabled=true\nMetadataURI=file:///usr/share/capstan/demo/firmware.xml.gz\n',
  );
  return root;
}
