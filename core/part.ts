import type { z } from 'zod';
import type { Env } from './config';
import type { FamilySpec } from './exposition';
import type { Mount, Route } from './http-server';
import type { Logger } from './logger';
import type { Services } from './services';

/** What the app hands every part it creates; nothing here names another part. */
export interface PartContext {
  readonly logger: Logger;
  /** The data directory (--storage.path), created before any part starts. */
  readonly dataDir: string;
  readonly env: Env;
  /** The clock in milliseconds since the epoch (Date.now in production; tests inject their own). */
  now(): number;
  /** What the running parts offer each other (see core/services.ts); the app always gives it. */
  readonly services?: Services;
}

/** One part of Vigil (host exporter, projects, deployments, shipper...) switched on by its section. */
export interface Part<S = unknown> {
  readonly name: string;
  /** HTTP routes (below the route prefix) this part serves; read again after every reload. */
  routes(): readonly Route[];
  /** Optional: Node request handlers that own every path below a prefix (the portal's Express app). */
  mounts?(): readonly Mount[];
  start(): Promise<void>;
  /** Applies a new, already validated section without losing the part's state. */
  reload(section: S): Promise<void>;
  /** Stops timers and flushes; must finish within a few seconds. */
  stop(): Promise<void>;
  /** Prometheus text of the families its definition declares, and of no others. */
  metrics(): Promise<string> | string;
}

/** Every section has `enabled`; a part whose section says false is not created. */
export interface PartSection {
  readonly enabled: boolean;
}

/**
 * A self-describing part: the composition root (bin/parts.ts) lists these, and core builds the
 * root config schema, the dataset list and the running parts from that list alone.
 */
export interface PartDefinition<S extends PartSection = PartSection, N extends string = string> {
  /** The key of the part's section in vigil.yml; also the part's name. */
  readonly section: N;
  /** The section's zod schema (strict, every default in it); an absent section parses as `{}`. */
  readonly schema: z.ZodType<S>;
  /** The ECS `event.dataset` of the part's own records (data stream logs-<dataset>-<namespace>). */
  readonly dataset: string;
  /**
   * Every metric family the part serves (name, type, help, labels), declared with defineFamilies
   * (core/exposition.ts); the app refuses two parts declaring the same name, and the boards'
   * tests read these lists. A part without metrics declares [].
   */
  readonly families: readonly FamilySpec[];
  /** Name prefixes of families the part names at run time from what it reads (host: node_memory_...). */
  readonly familyPrefixes?: readonly string[];
  /** Builds the part from its section only; no I/O until start(). */
  create(section: S, ctx: PartContext): Part<S>;
}

/** Declares a part keeping its section name as a literal type, so the root config type knows it. */
export function definePart<S extends PartSection, const N extends string>(def: PartDefinition<S, N>): PartDefinition<S, N> {
  return def;
}
