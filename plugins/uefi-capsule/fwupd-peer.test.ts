/**
 * The NVRAM method against the real fwupdtool 2.0.20 (`fwupdtool install`, uefi_capsule plugin) on
 * machine directories: byte for byte, file for file, in the same order. See
 * test/catalogs/staging/peer-suite.ts for how, and peer-variants.ts for the machines.
 */
import { definePeerSuite } from '../../test/catalogs/staging/peer-suite.js';

definePeerSuite('uefi-capsule');
