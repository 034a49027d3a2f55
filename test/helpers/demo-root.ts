import fs from 'node:fs';
import path from 'node:path';
import { makeRoot } from './make-root.js';
import { REPO } from './run-cli.js';

/**
 * The demo machine with its signed local catalog installed as a remote and the demo CA trusted, as
 * `npm run demo` composes it (demo/run.mjs).
 */
export function makeDemoRoot(): string {
  const root = makeRoot({}, path.join(REPO, 'demo/machine/root'));
  const share = path.join(root, 'usr/share/capstan/demo');
  fs.mkdirSync(share, { recursive: true });
  for (const file of ['firmware.xml.gz', 'firmware.xml.gz.jcat']) {
    fs.copyFileSync(path.join(REPO, 'demo/catalog', file), path.join(share, file));
  }
  fs.cpSync(path.join(REPO, 'demo/catalog/cabs'), path.join(share, 'cabs'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc/capstan/pki'), { recursive: true });
  fs.copyFileSync(
    path.join(REPO, 'demo/catalog/pki/capstan-demo-ca.pem'),
    path.join(root, 'etc/capstan/pki/capstan-demo-ca.pem'),
  );
  fs.mkdirSync(path.join(root, 'etc/capstan/remotes.d'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'etc/capstan/remotes.d/demo.conf'),
    '[fwupd Remote]\nEnabled=true\nMetadataURI=file:///usr/share/capstan/demo/firmware.xml.gz\n',
  );
  return root;
}
