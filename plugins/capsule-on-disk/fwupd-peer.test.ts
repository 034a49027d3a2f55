/**
 * Capsule-on-disk against the real fwupdtool 2.0.20 (`fwupdtool install` with OsIndicationsSupported
 * bit 0x4): byte for byte, file for file, in the same order. See test/catalogs/staging/peer-suite.ts.
 */
import { definePeerSuite } from '../../test/catalogs/staging/peer-suite.js';

definePeerSuite('capsule-on-disk');
