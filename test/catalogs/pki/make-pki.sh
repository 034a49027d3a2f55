#!/bin/sh
# Regenerates the TEST-ONLY PKI used by src/catalog/signature tests. Every key here is public
# knowledge (committed to the repository): never trust any of them outside the test suite.
#
#   test-ca.pem              CA:TRUE, KeyUsage keyCertSign+cRLSign            (a valid trust anchor)
#   test-signer.pem/.key     issued by test-ca, KeyUsage digitalSignature      (signs JCat blobs)
#   test-signer-expired.*    issued by test-ca, valid 2020-01-01..2021-01-01   (time-check tests)
#   test-wrong-ca.pem        an unrelated CA with KeyUsage                     (wrong anchor)
#   test-ca-no-ku.pem        CA:TRUE but no KeyUsage extension                 (fwupd rejects it as anchor)
#   test-signer-no-ku-ca.*   issued by test-ca-no-ku
#   test-openpgp-public.asc / test-openpgp-secret.key         OpenPGP signing key (no passphrase)
#   test-openpgp-wrong-public.asc / test-openpgp-wrong-secret.key   an unrelated OpenPGP key
#
# Needs openssl (and gpg for the OpenPGP keys). Run from anywhere; writes next to this script.
# New keys invalidate the signed samples: run ../jcat/make-samples.sh afterwards.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

days_start=20250101000000Z
days_end=20991231235959Z

cat >"$work/ext.cnf" <<'CNF'
[ca_ku]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ca_no_ku]
basicConstraints = critical, CA:TRUE
subjectKeyIdentifier = hash
[signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

# A minimal `openssl ca` setup so that issued certificates can carry fixed (also past) dates.
ca_conf() {
  # $1 = CA name
  mkdir -p "$work/$1"
  : >"$work/$1/index.txt"
  cat >"$work/$1/ca.cnf" <<CNF
[ ca ]
default_ca = the_ca
[ the_ca ]
database = $work/$1/index.txt
new_certs_dir = $work/$1
certificate = $PWD/$1.pem
private_key = $PWD/$1.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
rand_serial = yes
[ any ]
commonName = supplied
organizationName = optional
CNF
}

make_ca() {
  # $1 = file stem, $2 = CN, $3 = extension section
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null
  openssl req -new -key "$1.key" -subj "/O=Capstan Test/CN=$2" -out "$work/$1.csr"
  ca_conf "$1"
  openssl ca -batch -config "$work/$1/ca.cnf" -selfsign -keyfile "$1.key" -in "$work/$1.csr" \
    -startdate "$days_start" -enddate "$days_end" -extfile "$work/ext.cnf" -extensions "$3" \
    -notext -out "$1.pem" 2>/dev/null
}

make_signer() {
  # $1 = file stem, $2 = CN, $3 = issuing CA stem, $4 = start, $5 = end
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null
  openssl req -new -key "$1.key" -subj "/O=Capstan Test/CN=$2" -out "$work/$1.csr"
  openssl ca -batch -config "$work/$3/ca.cnf" -in "$work/$1.csr" -startdate "$4" -enddate "$5" \
    -extfile "$work/ext.cnf" -extensions signer -notext -out "$1.pem" 2>/dev/null
}

make_ca test-ca 'Capstan Test CA' ca_ku
make_ca test-wrong-ca 'Capstan Wrong Test CA' ca_ku
make_ca test-ca-no-ku 'Capstan Test CA without KeyUsage' ca_no_ku
make_signer test-signer 'Capstan Test Signer' test-ca "$days_start" "$days_end"
make_signer test-signer-expired 'Capstan Expired Test Signer' test-ca 20200101000000Z 20210101000000Z
make_signer test-signer-no-ku-ca 'Capstan Test Signer under CA without KeyUsage' test-ca-no-ku "$days_start" "$days_end"
# Only the signer keys are needed by the tests; the CA keys are kept so the PKI can be extended.

if command -v gpg >/dev/null 2>&1; then
  make_pgp() {
    # $1 = file stem, $2 = user id
    home="$work/gnupg-$1"
    mkdir -m 700 "$home"
    gpg --homedir "$home" --batch --quiet --passphrase '' --pinentry-mode loopback \
      --quick-gen-key "$2" rsa3072 sign never
    gpg --homedir "$home" --batch --armor --export "$2" >"$1-public.asc"
    gpg --homedir "$home" --batch --armor --pinentry-mode loopback --passphrase '' \
      --export-secret-keys "$2" >"$1-secret.key"
  }
  make_pgp test-openpgp 'Capstan Test Signing Key <test-signing@capstan.invalid>'
  make_pgp test-openpgp-wrong 'Capstan Wrong Test Key <test-wrong@capstan.invalid>'
else
  echo "gpg not installed: OpenPGP test keys left as they are" >&2
fi
