/** How strict one verification is; fwupd's JCat verify flags plus an injected clock. */
export interface VerifyOptions {
  /** At least one sha256/sha512 blob must match (fwupd: always, for metadata and cabinets). */
  requireChecksum: boolean;
  /** At least one pkcs7/gpg blob must verify against the trust anchors. */
  requireSignature: boolean;
  /** Check certificate and key validity periods at `now` (fwupd disables this for cabinet payloads only). */
  checkTime: boolean;
  now: Date;
}

/** The outcome of one blob. `kind` is libjcat's name, `<kind>-of-<target>` for a Target blob. */
export interface BlobResult {
  kind: string;
  ok: boolean;
  /** Why the blob failed (or was not tried), in words. */
  reason?: string;
  /** PKCS#7: the signer certificate's subject DN; OpenPGP: the signing key's fingerprint and user id. */
  signer?: string;
  /** PKCS#7: the signer certificate's issuer DN (what jcat-tool prints); OpenPGP: the primary key fingerprint. */
  authority?: string;
  /** PKCS#7 signing-time attribute, OpenPGP signature creation time. */
  signedAt?: Date;
}

export interface VerifyResult {
  checksums: BlobResult[];
  signatures: BlobResult[];
  /** The newest signing time among the signatures that verified (for metadata anti-rollback). */
  newestSignature?: Date;
  /** At least one signature verified against the trust anchors (and every checksum matched). */
  trusted: boolean;
}

/** Time handling for one signature check. */
export interface TimeCheck {
  checkTime: boolean;
  now: Date;
}
