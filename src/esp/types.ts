/**
 * Where the ESP is on its disk: exactly the fields of the Hard Drive device-path node (UEFI 2.10
 * §10.3.5.1) the fwupd helper compares byte-for-byte with the firmware's own.
 */
export interface EspGeometry {
  /** 1-based GPT entry index (= the Linux partition number). */
  partitionNumber: number;
  /** First LBA and length, in the disk's *logical* blocks (sysfs 512-byte units already converted). */
  partitionStart: bigint;
  partitionSize: bigint;
  logicalBlockSize: number;
  /** GPT unique partition GUID (PARTUUID), lower-case. */
  partUuid: string;
  /** GPT partition type GUID, lower-case. */
  partType: string;
  /** Kernel name of the disk (`vda`, `nvme0n1`). */
  disk: string;
  /** `MAJ:MIN` of the partition. */
  device: string;
  /** Where the identity came from: the udev database plus sysfs, or the disk's own GPT (plus sysfs). */
  source: 'udev+sysfs' | 'gpt';
}

export interface EspCandidate {
  /** System path examined (`/boot/efi`); for an explicit path, as given. */
  mountPoint: string;
  /** `accepted` may still carry a `reason`: a warning (an explicit path that is not a mount point). */
  status: 'accepted' | 'rejected';
  reason?: string;
  /** Filesystem type from the mount table, when the path is (on) a mount. */
  fsType?: string;
  geometry?: EspGeometry;
}
