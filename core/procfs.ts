import { ServiceKey, type Services } from './services';

/** The kernel's USER_HZ: procfs counts CPU time in ticks of 1/100 s on every Linux platform Prometheus supports. */
export const USER_HZ = 100;

/** Where procfs is mounted unless host.procfs says otherwise (e.g. /host/proc in a container). */
export const DEFAULT_PROCFS = '/proc';

/** The host's procfs root (host.procfs), offered by the host part while it runs. */
export const PROCFS_ROOT = new ServiceKey<() => string>('procfs-root');

/** The procfs root every part reads: host.procfs while the host part runs, else /proc. */
export function procfsRoot(services: Services | undefined): string {
  return services?.get(PROCFS_ROOT)?.() ?? DEFAULT_PROCFS;
}
