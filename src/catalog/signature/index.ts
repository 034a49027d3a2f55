export {
  ALLOWED_CHECKSUM_KINDS,
  digestHex,
  type PayloadDigests,
  payloadDigests,
} from './checksum.js';
export {
  blobKindName,
  findJcatItem,
  JCAT_BLOB_FLAG_IS_UTF8,
  JCAT_BLOB_KIND,
  JCAT_MAX_INFLATED_BYTES,
  type JcatBlob,
  type JcatBlobKind,
  type JcatFile,
  type JcatItem,
  mergeJcatFiles,
  parseJcat,
} from './jcat.js';
export { verifyDetachedOpenpgp } from './openpgp.js';
export {
  type AnchorFile,
  FWUPD_TRUST_DIRECTORIES,
  loadTrustAnchors,
  type OpenpgpAnchor,
  type RejectedAnchor,
  type TrustAnchors,
  trustAnchorsFromFiles,
  type X509Anchor,
} from './trust-anchors.js';
export type { BlobResult, TimeCheck, VerifyOptions, VerifyResult } from './types.js';
export { ALLOWED_SIGNATURE_KINDS, verifyJcatItem } from './verify.js';
