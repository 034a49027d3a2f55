export { planUpdates, UEFI_CAPSULE_PROTOCOL } from './plan.js';
export type * from './types.js';
