#!/bin/sh
# Regenerates the JCat samples with the real jcat-tool (Debian package `jcat`, libjcat 0.2.3),
# signed with the TEST-ONLY keys in ../pki (see ../pki/make-pki.sh). Needs jcat-tool and gpg.
#
#   firmware.bin          the payload every sample signs
#   firmware.bin.asc      detached OpenPGP signature (gpg, test-openpgp key), imported as a gpg blob
#   firmware.jcat         sha256, sha512, sha1, pkcs7 (test-signer), pkcs7 --target sha256, gpg
#   signature-only.jcat   pkcs7 only (no checksum blob)
#   sha1-pkcs7.jcat       sha1 + pkcs7: fwupd refuses it ("checksums were required")
#   expired.jcat          sha256 + pkcs7 by test-signer-expired (valid 2020..2021 only)
#   no-ku-ca.jcat         sha256 + pkcs7 by a signer whose CA has no KeyUsage
#   metadata.jcat         Id firmware-00042-stable.xml.zst, AliasId firmware.xml.zst, sha256 + pkcs7
set -eu
cd "$(dirname "$0")"
pki=../pki
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A clean environment: jcat-tool keeps a self-sign key under $HOME; gpg needs its own home.
export HOME="$work/home" GNUPGHOME="$work/gnupg"
mkdir -p "$HOME" && mkdir -m 700 "$GNUPGHOME"

printf 'capstan test firmware payload\n' >firmware.bin
rm -f ./*.jcat firmware.bin.asc

gpg --batch --quiet --import "$pki/test-openpgp-secret.key"
gpg --batch --quiet --armor --detach-sign -o firmware.bin.asc firmware.bin

jcat-tool --kind sha256 self-sign firmware.jcat firmware.bin
jcat-tool --kind sha512 self-sign firmware.jcat firmware.bin
jcat-tool --kind sha1 self-sign firmware.jcat firmware.bin
jcat-tool sign firmware.jcat firmware.bin "$pki/test-signer.pem" "$pki/test-signer.key"
jcat-tool --target sha256 sign firmware.jcat firmware.bin "$pki/test-signer.pem" "$pki/test-signer.key"
jcat-tool import firmware.jcat firmware.bin firmware.bin.asc

jcat-tool sign signature-only.jcat firmware.bin "$pki/test-signer.pem" "$pki/test-signer.key"

jcat-tool --kind sha1 self-sign sha1-pkcs7.jcat firmware.bin
jcat-tool sign sha1-pkcs7.jcat firmware.bin "$pki/test-signer.pem" "$pki/test-signer.key"

jcat-tool --kind sha256 self-sign expired.jcat firmware.bin
jcat-tool sign expired.jcat firmware.bin "$pki/test-signer-expired.pem" "$pki/test-signer-expired.key"

jcat-tool --kind sha256 self-sign no-ku-ca.jcat firmware.bin
jcat-tool sign no-ku-ca.jcat firmware.bin "$pki/test-signer-no-ku-ca.pem" "$pki/test-signer-no-ku-ca.key"

cp firmware.bin "$work/firmware-00042-stable.xml.zst"
jcat-tool --basename --kind sha256 self-sign metadata.jcat "$work/firmware-00042-stable.xml.zst"
jcat-tool --basename sign metadata.jcat "$work/firmware-00042-stable.xml.zst" "$pki/test-signer.pem" "$pki/test-signer.key"
jcat-tool add-alias metadata.jcat firmware-00042-stable.xml.zst firmware.xml.zst

for f in ./*.jcat; do echo "$f:"; jcat-tool info "$f" | grep -E 'ID:|Kind:|Target:' ; done
