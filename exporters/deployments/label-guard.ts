/**
 * Keeps a label's distinct values bounded per scope (e.g. steps per job): the first `max` values
 * seen pass through, every later one becomes "other". Scopes themselves are bounded by the guards
 * on the labels above them.
 */
export interface LabelGuard {
  value(scope: string, value: string): string;
  setMax(max: number): void;
}

export const OVERFLOW_LABEL = 'other';

export function createLabelGuard(max: number): LabelGuard {
  if (!Number.isInteger(max) || max < 1) throw new Error(`label guard: max must be a positive integer, got ${max}`);
  let limit = max;
  const seen = new Map<string, Set<string>>();
  return {
    value(scope, value) {
      let set = seen.get(scope);
      if (!set) {
        set = new Set();
        seen.set(scope, set);
      }
      if (set.has(value)) return value;
      if (set.size >= limit) return OVERFLOW_LABEL;
      set.add(value);
      return value;
    },
    setMax(next) {
      limit = next;
    },
  };
}
