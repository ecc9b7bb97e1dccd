import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import type { FileReader, ReadOptions } from './file-reader';

/** Errors that mean "the kernel has nothing here": a missing file or an attribute the device lacks. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EINVAL', 'ENODEV', 'EOPNOTSUPP', 'ENXIO']);

/** True for an error that says the file or attribute does not exist on this kernel or device. */
export function isAbsent(err: unknown): boolean {
  return ABSENT.has((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/**
 * Reads a kernel file that not every kernel or device has (PSI, conntrack, a NIC's speed):
 * undefined when it is absent, the error otherwise. Reads go through the kept-open reader.
 */
export function readOptional(reader: FileReader, path: string, opts?: ReadOptions): string | undefined {
  try {
    return reader.read(path, opts);
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}

/** Runs a synchronous file system call with stack traces off: absence is an answer here, not a fault. */
function quiet<T>(call: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return call();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * The entries of a procfs or sysfs directory (generated from kernel memory, so listed
 * synchronously, in a few microseconds); undefined when it does not exist.
 */
export function listOptional(path: string): string[] | undefined {
  try {
    return quiet(() => readdirSync(path));
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}

/** Where a sysfs link points (realpath); undefined when there is no such link. */
export function realpathOptional(path: string): string | undefined {
  try {
    return quiet(() => realpathSync(path));
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}

/** Whether a path exists (a stat, in memory for /run and sysfs); other errors throw. */
export function exists(path: string): boolean {
  try {
    return quiet(() => statSync(path, { throwIfNoEntry: false })) !== undefined;
  } catch (err) {
    if (isAbsent(err)) return false;
    throw err;
  }
}

/** The inode number of a path itself (a symbolic link is not followed); undefined when it does not exist. */
export function inodeOf(path: string): number | undefined {
  try {
    return quiet(() => lstatSync(path, { throwIfNoEntry: false }))?.ino;
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}
