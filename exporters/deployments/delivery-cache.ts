/** Remembers the last `capacity` delivery ids (insertion order), so redeliveries are recognised in bounded memory. */
export interface DeliveryCache {
  has(id: string): boolean;
  add(id: string): void;
  readonly size: number;
  resize(capacity: number): void;
}

export function createDeliveryCache(capacity: number): DeliveryCache {
  if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`delivery cache: capacity must be a positive integer, got ${capacity}`);
  let cap = capacity;
  const ids = new Set<string>();
  const trim = (): void => {
    for (const id of ids) {
      if (ids.size <= cap) break;
      ids.delete(id);
    }
  };
  return {
    has: (id) => ids.has(id),
    add(id) {
      ids.delete(id);
      ids.add(id);
      trim();
    },
    get size() {
      return ids.size;
    },
    resize(next) {
      cap = next;
      trim();
    },
  };
}
