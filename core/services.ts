/**
 * What one part offers the others in the same process (the projects' status, the deployment
 * history), so a part such as the portal reads them without core knowing either part. A provider
 * registers while it runs; a reader looks the service up on each use, so a part switched off by a
 * reload is simply absent.
 */
export class ServiceKey<T> {
  declare readonly type: T;
  constructor(readonly name: string) {}
}

export interface Services {
  /** Registers `value` under `key`; the returned function withdraws it. */
  provide<T>(key: ServiceKey<T>, value: T): () => void;
  get<T>(key: ServiceKey<T>): T | undefined;
}

export function createServices(): Services {
  const values = new Map<ServiceKey<unknown>, unknown>();
  return {
    provide(key, value) {
      values.set(key, value);
      return () => {
        if (values.get(key) === value) values.delete(key);
      };
    },
    get: <T>(key: ServiceKey<T>) => values.get(key) as T | undefined,
  };
}

/** The names of the parts running now, offered by the app itself. */
export const RUNNING_PARTS = new ServiceKey<() => readonly string[]>('running-parts');
