import { open } from 'node:fs/promises';

/** Pure: the kernel page size from the start of /proc/self/smaps ("KernelPageSize:   4 kB"). */
export function parseKernelPageSize(smaps: string): number | undefined {
  const m = /^KernelPageSize:\s+(\d+) kB$/m.exec(smaps);
  return m ? Number(m[1]) * 1024 : undefined;
}

let cached: Promise<number> | undefined;

/**
 * The kernel's page size, which /proc/net/sockstat counts memory in (Node has no getpagesize()).
 * Read once from the first mapping in /proc/self/smaps; 4 KiB where that file is unreadable.
 */
export function kernelPageSize(): Promise<number> {
  cached ??= (async () => {
    const file = await open('/proc/self/smaps', 'r');
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await file.read(buf, 0, buf.length, 0);
      return parseKernelPageSize(buf.toString('utf8', 0, bytesRead)) ?? 4096;
    } finally {
      await file.close();
    }
  })().catch(() => 4096);
  return cached;
}
