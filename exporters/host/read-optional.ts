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
export async function readOptional(reader: FileReader, path: string, opts?: ReadOptions): Promise<string | undefined> {
  try {
    return await reader.read(path, opts);
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}
