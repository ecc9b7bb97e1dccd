import { changed } from '../../core/changed';
import { runCollectors, runnerFamilies, type Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import { APP_DATASET, errorFields } from '../../core/logger';
import { definePart, type Part, type PartContext } from '../../core/part';
import { PROCFS_ROOT } from '../../core/procfs';
import { createHostCollectors, type HostDeps } from './collectors';
import { hostConfigSchema, type HostConfig } from './config';
import { createFileReader } from './file-reader';
import { createIsolatedStatfs } from './isolated-statfs';
import { kernelPageSize } from './page-size';
import { HOST_FAMILIES, HOST_FAMILY_PREFIXES } from './families';
import { createHostRenderer } from './render';
import { nodeScrapeFamilies } from './scrape-families';

/**
 * The host exporter: node_exporter's default Linux collectors (see README.md) read from procfs
 * and sysfs on every scrape, under the configured timeout. A scrape reads kernel files through
 * descriptors kept open, one synchronous pread each (they come from kernel memory, see
 * file-reader.ts), never spawns a process, and leaves what can wait on a device (statfs but for
 * IN_MEMORY_FS_TYPES, textfiles) off the event loop.
 */
export function createHostPart(section: HostConfig, ctx: PartContext, deps: Partial<HostDeps> = {}): Part<HostConfig> {
  const { logger } = ctx;
  const reader = deps.reader ?? createFileReader();
  let cfg: HostConfig = section;
  // Network filesystems get statfs on a helper thread (started only if there are any).
  const isolated = deps.networkStatfs ? undefined : createIsolatedStatfs({ stuckAfterMs: () => cfg.filesystem.mount_timeout });
  let pageSize = deps.pageSize ?? 4096;
  // A textfile that keeps failing the same way is logged once, like a failing collector.
  const textfileErrors = new Map<string, string>();
  const build = (): Collector[] =>
    createHostCollectors(cfg, {
      ...deps,
      reader,
      pageSize,
      onTextfileError: (path, error) => {
        if (textfileErrors.get(path) === error) return;
        textfileErrors.set(path, error);
        logger.warn('textfile not read', {
          event: { action: 'textfile-failed' },
          vigil: { part: 'host', collector: 'textfile' },
          file: { path },
          error: { message: error },
        });
      },
      ...(isolated ? { networkStatfs: isolated.statfs } : {}),
      onStuckMount: (mountPoint, stuck) =>
        logger.warn(stuck ? 'mount point does not answer statfs; reported as device_error until it does' : 'mount point answers statfs again', {
          event: { action: stuck ? 'mount-stuck' : 'mount-recovered' },
          vigil: { part: 'host', collector: 'filesystem' },
          file: { path: mountPoint },
        }),
    });
  // A collector that keeps failing the same way is logged once, and again when it recovers.
  const failing = new Map<string, string>();
  const onError = (collector: string, error: Error): void => {
    if (failing.get(collector) === error.message) return;
    failing.set(collector, error.message);
    logger.warn('collector failed', {
      ...errorFields(error),
      event: { action: 'collector-failed' },
      vigil: { part: 'host', collector },
    });
  };
  const watch = (c: Collector): Collector => {
    const succeeded = (families: MetricFamily[]): MetricFamily[] => {
      if (failing.delete(c.name)) {
        logger.info('collector recovered', { event: { action: 'collector-recovered' }, vigil: { part: 'host', collector: c.name } });
      }
      return families;
    };
    return {
      name: c.name,
      collect(signal) {
        const answer = c.collect(signal);
        return Array.isArray(answer) ? succeeded(answer) : answer.then(succeeded);
      },
    };
  };
  let collectors = build().map(watch);
  const render = createHostRenderer();
  let inflight: Promise<string> | undefined;
  let withdraw = (): void => undefined;
  return {
    name: 'host',
    routes: () => [],
    async start() {
      // Other parts (the projects' process checks) read the same procfs.
      withdraw = ctx.services?.provide(PROCFS_ROOT, () => cfg.procfs) ?? withdraw;
      if (deps.pageSize !== undefined) return;
      pageSize = await kernelPageSize();
      collectors = build().map(watch);
    },
    async reload(next) {
      // An unchanged section keeps its collectors, and with them the CPU counters' history and
      // the mount points whose statfs still hangs.
      if (!changed(cfg, next)) return;
      const roots = (c: HostConfig): string => `${c.procfs}\0${c.sysfs}\0${c.rootfs}`;
      if (roots(next) !== roots(cfg)) await reader.close();
      cfg = next;
      collectors = build().map(watch);
    },
    async stop() {
      withdraw();
      await Promise.all([reader.close(), isolated?.close()]);
    },
    metrics() {
      // Scrapes that arrive while a collection runs (an HA pair of Prometheus servers) share it.
      inflight ??= runCollectors(collectors, { timeoutMs: cfg.collector_timeout, onError })
        .then((outcomes) => render([...outcomes.flatMap((o) => o.families), ...nodeScrapeFamilies(outcomes), ...runnerFamilies(outcomes)]))
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    },
  };
}

export const hostPart = definePart({
  section: 'host',
  schema: hostConfigSchema,
  /** The host exporter writes no records of its own kind; its warnings are the app's. */
  dataset: APP_DATASET,
  families: HOST_FAMILIES,
  familyPrefixes: HOST_FAMILY_PREFIXES,
  create: (section, ctx) => createHostPart(section, ctx),
});
