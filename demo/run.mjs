#!/usr/bin/env node
// The demo: a simulated bare-metal laptop (demo/machine/root) with a local catalog
// (demo/catalog), copied into a temporary directory so nothing in the repository changes, then
// capstan run against it the way an administrator would. `--keep` leaves the copy for exploring.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const keep = process.argv.includes('--keep');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-demo-'));
fs.cpSync(path.join(repo, 'demo/machine/root'), root, { recursive: true });
const share = path.join(root, 'usr/share/capstan/demo');
fs.mkdirSync(share, { recursive: true });
for (const file of ['firmware.xml.gz', 'firmware.xml.gz.jcat']) {
  fs.copyFileSync(path.join(repo, 'demo/catalog', file), path.join(share, file));
}
// the demo's own CA: the catalog and the cabinets are signed by it (demo/catalog/pki, demo only)
fs.mkdirSync(path.join(root, 'etc/capstan/pki'), { recursive: true });
fs.copyFileSync(
  path.join(repo, 'demo/catalog/pki/capstan-demo-ca.pem'),
  path.join(root, 'etc/capstan/pki/capstan-demo-ca.pem'),
);
fs.cpSync(path.join(repo, 'demo/catalog/cabs'), path.join(share, 'cabs'), { recursive: true });
fs.mkdirSync(path.join(root, 'etc/capstan/remotes.d'), { recursive: true });
fs.writeFileSync(
  path.join(root, 'etc/capstan/remotes.d/demo.conf'),
  '[fwupd Remote]\n# the bundled demo catalog, signed by the demo CA in /etc/capstan/pki\nEnabled=true\nTitle=capstan demo catalog\nMetadataURI=file:///usr/share/capstan/demo/firmware.xml.gz\n',
);

// The real, Debian-signed fwupd EFI helper, when this host has it (package fwupd-amd64-signed).
const helper = '/usr/libexec/fwupd/efi/fwupdx64.efi.signed';
if (fs.existsSync(helper)) {
  fs.mkdirSync(path.join(root, path.dirname(helper)), { recursive: true });
  fs.copyFileSync(helper, path.join(root, helper));
}

const steps = [['doctor'], ['get-devices'], ['get-remotes'], ['refresh'], ['get-updates'], ['plan']];
// 0 = done, 2 = nothing to do (a valid answer); anything else means the demo itself is broken
let broken = false;
for (const args of steps) {
  process.stdout.write(`\n$ capstan --root ${root} ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [path.join(repo, 'bin/capstan.js'), '--root', root, ...args], {
    stdio: 'inherit',
    env: { ...process.env, CAPSTAN_ROOT: '' },
  });
  if (result.status !== 0) process.stdout.write(`(exit status ${result.status})\n`);
  if (result.status !== 0 && result.status !== 2) broken = true;
}
if (keep) process.stdout.write(`\nthe demo machine is kept in ${root}\n`);
else fs.rmSync(root, { recursive: true, force: true });
process.exitCode = broken ? 1 : 0;
