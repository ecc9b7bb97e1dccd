import type { Env, VigilConfig } from './config';
import type { Mount, Route } from './http-server';
import type { Logger } from './logger';
import type { Services } from './services';

export interface PartContext {
  readonly logger: Logger;
  /** The data directory (--storage.path), created before any part starts. */
  readonly dataDir: string;
  readonly env: Env;
  /** What the running parts offer each other (see core/services.ts); the app always gives it. */
  readonly services?: Services;
}

/** One part of Vigil (host exporter, projects, deployments, shipper...) switched on by config. */
export interface Part {
  readonly name: string;
  /** HTTP routes (below the route prefix) this part serves; read again after every reload. */
  routes(): readonly Route[];
  /** Optional: Node request handlers that own every path below a prefix (the portal's Express app). */
  mounts?(): readonly Mount[];
  start(): Promise<void>;
  /** Applies a new, already validated configuration without losing the part's state. */
  reload(config: VigilConfig): Promise<void>;
  /** Stops timers and flushes; must finish within a few seconds. */
  stop(): Promise<void>;
  /** Prometheus text of this part's families; must not repeat another part's family names. */
  metrics(): Promise<string> | string;
}

export interface PartDefinition {
  readonly name: string;
  enabled(config: VigilConfig): boolean;
  create(config: VigilConfig, ctx: PartContext): Part;
}
