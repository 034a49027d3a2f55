import { method as capsuleOnDisk } from '../../plugins/capsule-on-disk/index.js';
import { method as uefiCapsule } from '../../plugins/uefi-capsule/index.js';
import type { UpdateMethod } from '../plugin-api.js';

/**
 * Every update method, by id: a plain static registry (no directory scan at run time).
 * test/plugins-registry.test.ts checks it against the plugins/ folders.
 */
export const UPDATE_METHODS: ReadonlyMap<UpdateMethod['id'], UpdateMethod> = new Map([
  [uefiCapsule.id, uefiCapsule],
  [capsuleOnDisk.id, capsuleOnDisk],
]);
