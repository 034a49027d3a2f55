#!/bin/sh
# Regenerates the DEMO-ONLY signing keys of demo/catalog (committed, public: never trust them outside
# the demo). capstan-demo-ca.pem is installed as a trust anchor in the demo machine.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/ext.cnf" <<'CNF'
[signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl req -x509 -newkey rsa:2048 -nodes -keyout capstan-demo-ca.key -out capstan-demo-ca.pem -days 36500 \
  -subj "/O=capstan demo/CN=capstan demo CA" -addext "basicConstraints=critical,CA:TRUE,pathlen:1" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey rsa:2048 -nodes -keyout demo-signer.key -out "$work/signer.csr" -subj "/O=capstan demo/CN=capstan demo signer"
openssl x509 -req -in "$work/signer.csr" -CA capstan-demo-ca.pem -CAkey capstan-demo-ca.key -CAcreateserial \
  -out demo-signer.pem -days 36500 -sha256 -extfile "$work/ext.cnf" -extensions signer
rm -f capstan-demo-ca.srl
