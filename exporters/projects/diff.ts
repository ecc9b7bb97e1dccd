import { changed } from '../../core/changed';
import type { ProjectConfig } from './config';

/** A project whose configuration changed: the new one, and its checks whose results still hold. */
export interface ChangedProject {
  readonly config: ProjectConfig;
  /** Checks present before and unchanged: their last results are kept. */
  readonly keptChecks: ReadonlySet<string>;
}

/** What a reload does to the projects. */
export interface ProjectsDiff {
  /** Names of projects no longer configured. */
  readonly removed: readonly string[];
  /** Projects new in the configuration. */
  readonly added: readonly ProjectConfig[];
  readonly changed: readonly ChangedProject[];
}

/**
 * Pure: compares the running projects' configurations with the next list, by project name; an
 * unchanged project (deep-equal, RegExps by source) appears in no list.
 */
export function diffProjects(current: ReadonlyMap<string, ProjectConfig>, next: readonly ProjectConfig[]): ProjectsDiff {
  const wanted = new Set(next.map((t) => t.name));
  const removed = [...current.keys()].filter((name) => !wanted.has(name));
  const added: ProjectConfig[] = [];
  const changedProjects: ChangedProject[] = [];
  for (const cfg of next) {
    const before = current.get(cfg.name);
    if (!before) {
      added.push(cfg);
      continue;
    }
    if (!changed(before, cfg)) continue;
    const previous = new Map(before.checks.map((c) => [c.name, c]));
    const keptChecks = new Set(cfg.checks.filter((c) => previous.has(c.name) && !changed(previous.get(c.name), c)).map((c) => c.name));
    changedProjects.push({ config: cfg, keptChecks });
  }
  return { removed, added, changed: changedProjects };
}
