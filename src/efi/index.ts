/** The EFI variable layer and the encodings staging needs. See readme.md. */
export * from './boot-vars.js';
export * from './bytes.js';
export * from './device-path.js';
export * from './efivarfs.js';
export * from './guid.js';
export * from './inode-flags.js';
export * from './linux-efivarfs.js';
export * from './load-option.js';
export * from './mounts.js';
export * from './store.js';
export * from './structs/capsule-header.js';
export * from './structs/efi-time.js';
export * from './structs/update-info.js';
export * from './variable-policy.js';
