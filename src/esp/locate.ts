import path from 'node:path';
import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { findMount, type MountEntry, readMounts } from '../efi/mounts.js';
import { espError, isEspError } from './errors.js';
import { Esp, type EspIo } from './esp.js';
import { readPartitionIdentity } from './geometry.js';
import { describePartitionType, ESP_PARTITION_TYPE } from './partition-types.js';
import { tryRealpathInRoot } from './root-path.js';
import type { EspCandidate } from './types.js';

/** systemd's order after an explicit path (find-esp.c): `/efi`, `/boot`, `/boot/efi`. */
export const ESP_CANDIDATE_PATHS = ['/efi', '/boot', '/boot/efi'] as const;

export const ESP_NOT_FOUND_HINT = 'mount the ESP at /boot/efi or /efi, or pass --esp PATH';

interface Examined {
  candidate: EspCandidate;
  /** Canonical system path of the ESP directory (accepted only). */
  directory?: string;
  fsPath?: string;
  /** An error that is about the machine's access rights rather than the candidate (rethrown by locateEsp). */
  error?: CapstanError;
}

/**
 * Every ESP candidate with its verdict, in the order they are tried, for `doctor`. With `explicit`
 * (`--esp PATH`) that path is the only candidate, as in systemd: an explicit choice never falls back.
 * Never throws for a machine problem; each becomes a rejection with its reason.
 */
export function listEspCandidates(ctx: Context, explicit?: string): EspCandidate[] {
  return examineAll(ctx, explicit).map((e) => e.candidate);
}

/**
 * The first accepted candidate as an `Esp`, else `esp-not-found` with every rejection in the message and
 * in `details.candidates`. A permission problem (not root) is rethrown as such, since it is not the
 * machine's fault. An accepted candidate with a warning reason is logged at warn level.
 */
export function locateEsp(ctx: Context, explicit?: string, options: { io?: EspIo } = {}): Esp {
  const examined = examineAll(ctx, explicit);
  const found = examined.find((e) => e.candidate.status === 'accepted');
  if (found?.directory !== undefined && found.candidate.geometry !== undefined) {
    if (found.candidate.reason !== undefined) {
      ctx.log.warn('using an ESP path that is not a mount point', {
        path: found.candidate.mountPoint,
        reason: found.candidate.reason,
      });
    }
    return new Esp(ctx, {
      mountPoint: found.directory,
      geometry: found.candidate.geometry,
      ...(found.fsPath === undefined ? {} : { fsPath: found.fsPath }),
      ...(options.io === undefined ? {} : { io: options.io }),
    });
  }
  const denied = examined.find((e) => e.error?.code === 'permission-denied')?.error;
  if (denied !== undefined) throw denied;
  const summary = examined.map((e) => `${e.candidate.mountPoint}: ${e.candidate.reason ?? 'rejected'}`).join('; ');
  throw espError(
    'esp-not-found',
    explicit === undefined
      ? `no EFI system partition found: ${summary}`
      : `no usable EFI system partition at ${summary}`,
    {
      hint:
        explicit === undefined
          ? ESP_NOT_FOUND_HINT
          : 'pass --esp the mount point of the vfat, GPT EFI System Partition (usually /boot/efi)',
      details: {
        candidates: examined.map(({ candidate }) => ({
          mountPoint: candidate.mountPoint,
          reason: candidate.reason,
          ...(candidate.fsType === undefined ? {} : { fsType: candidate.fsType }),
        })),
      },
    },
  );
}

function examineAll(ctx: Context, explicit: string | undefined): Examined[] {
  const mounts = readMounts(ctx);
  const paths = explicit === undefined ? ESP_CANDIDATE_PATHS : [explicit];
  return paths.map((candidate) => {
    const result = examine(ctx, mounts, candidate, explicit !== undefined);
    if (result.candidate.status === 'rejected') {
      ctx.log.debug('esp candidate rejected', { path: candidate, reason: result.candidate.reason });
    }
    return result;
  });
}

function examine(ctx: Context, mounts: readonly MountEntry[], given: string, explicit: boolean): Examined {
  const reject = (reason: string, extra: Partial<EspCandidate> = {}, error?: CapstanError): Examined => ({
    candidate: { mountPoint: given, status: 'rejected', reason, ...extra },
    ...(error === undefined ? {} : { error }),
  });
  try {
    if (!given.startsWith('/')) return reject('not an absolute path');
    const directory = tryRealpathInRoot(ctx, given);
    if (directory === undefined) return reject('does not exist');
    if (!ctx.fs.isDirectory(directory)) return reject('not a directory');
    if (!explicit && directory !== path.posix.normalize(given)) return reject(`a symlink to ${directory}`);

    let warning: string | undefined;
    let fsPath = '/';
    let mount = findMount(mounts, directory);
    if (mount?.fsType === 'autofs') {
      return reject(`an automount point that is not mounted yet; access it once (ls ${directory}) and try again`, {
        fsType: 'autofs',
      });
    }
    if (mount !== undefined) {
      const root = mount.root ?? '/';
      if (root !== '/') {
        if (!explicit) {
          return reject(`a bind mount of ${root} inside its filesystem, not the filesystem root`, {
            fsType: mount.fsType,
          });
        }
        fsPath = root;
        warning = `a bind mount of ${root} inside its filesystem; files land under ${root} on the partition`;
      }
    } else {
      if (!explicit) return reject('not a mount point (nothing is mounted here)');
      mount = findContainingMount(mounts, directory);
      if (mount === undefined) return reject('not on any mounted filesystem');
      fsPath = path.posix.join(mount.root ?? '/', path.posix.relative(mount.mountPoint, directory));
      warning = `not a mount point; using ${fsPath} inside the filesystem mounted at ${mount.mountPoint}`;
    }

    const fsType = mount.fsType;
    if (fsType !== 'vfat') return reject(`${mount.mountPoint} is ${fsType}, not vfat`, { fsType });
    if (mount.device === undefined) {
      return reject('the mount table gives no device number (/proc/self/mountinfo is unreadable)', { fsType });
    }
    const { geometry, udevFsType } = readPartitionIdentity(ctx, mount.device);
    if (udevFsType !== undefined && udevFsType !== 'vfat') {
      return reject(`udev says ${geometry.disk} partition ${geometry.partitionNumber} holds ${udevFsType}, not vfat`, {
        fsType,
      });
    }
    if (geometry.partType !== ESP_PARTITION_TYPE) {
      return reject(
        `partition type ${describePartitionType(geometry.partType)} is not the ESP type ${ESP_PARTITION_TYPE}`,
        { fsType, geometry },
      );
    }
    return {
      candidate: {
        mountPoint: given,
        status: 'accepted',
        ...(warning === undefined ? {} : { reason: warning }),
        fsType,
        geometry,
      },
      directory,
      fsPath,
    };
  } catch (error) {
    if (isEspError(error)) return reject(error.message);
    if (error instanceof CapstanError) return reject(error.message, {}, error);
    throw error;
  }
}

/** The mount holding `directory`: the longest mount point above it (the last one mounted on that path). */
function findContainingMount(mounts: readonly MountEntry[], directory: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const mount of mounts) {
    const point = mount.mountPoint;
    const inside = point === '/' || directory === point || directory.startsWith(`${point}/`);
    if (inside && (best === undefined || point.length >= best.mountPoint.length)) best = mount;
  }
  return best;
}
