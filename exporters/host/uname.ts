import { machine } from 'node:os';
import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';

export interface Uname {
  readonly sysname: string;
  readonly release: string;
  readonly version: string;
  readonly machine: string;
  readonly nodename: string;
  readonly domainname: string;
}

/** Pure: node_uname_info with node_exporter's labels. */
export function unameFamilies(u: Uname): MetricFamily[] {
  return [
    {
      name: 'node_uname_info',
      help: 'Labeled system information as provided by the uname system call.',
      type: 'gauge',
      samples: [
        {
          labels: {
            domainname: u.domainname,
            machine: u.machine,
            nodename: u.nodename,
            release: u.release,
            sysname: u.sysname,
            version: u.version,
          },
          value: 1,
        },
      ],
    },
  ];
}

/** A sysctl file's value: its text without the trailing newline. */
const value = (text: string): string => text.replace(/\n$/, '');

/**
 * node_exporter's uname collector, from the sysctls uname(2) reports (procfs/sys/kernel/...), so it
 * follows the configured procfs. The kernel's name, release, version and architecture cannot
 * change while it runs and are read once; host and domain name are read on every scrape.
 */
export function createUnameCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const kernel = (name: string): string => join(deps.procfs, 'sys', 'kernel', name);
  const hostnamePath = kernel('hostname');
  const domainnamePath = kernel('domainname');
  let fixed: Pick<Uname, 'sysname' | 'release' | 'version' | 'machine'> | undefined;
  const readFixed = (): Pick<Uname, 'sysname' | 'release' | 'version' | 'machine'> => {
    const read = (name: string): string => value(deps.reader.read(kernel(name), { single: true }));
    let arch: string;
    try {
      arch = read('arch');
    } catch {
      // kernel.arch exists since Linux 6.1; before that, uname(2)'s machine as Node reports it.
      arch = machine();
    }
    return { sysname: read('ostype'), release: read('osrelease'), version: read('version'), machine: arch };
  };
  return {
    name: 'uname',
    collect() {
      fixed ??= readFixed(); // a failure throws and is tried again next scrape
      const nodename = deps.reader.read(hostnamePath, { single: true });
      const domainname = deps.reader.read(domainnamePath, { single: true });
      return unameFamilies({ ...fixed, nodename: value(nodename), domainname: value(domainname) });
    },
  };
}
