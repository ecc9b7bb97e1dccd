import { loadConfig as loadConfigWith, parseConfig as parseConfigWith, type ConfigOf, type Env } from '../core/config';
import { shipperPart } from '../shipper/part';
import { hostPart } from '../exporters/host/part';
import { projectsPart } from '../exporters/projects/part';
import { deploymentsPart } from '../exporters/deployments/part';
import { relayPart } from '../relay/part';
import { dashboardPart } from '../dashboard/part';

/**
 * The composition root: every part `vigil serve` can run, in start order (stopped in reverse), the
 * shipper first so that every other part's records reach it. Adding a part is one folder and one
 * line here; nothing under core/ names a part.
 */
export const PARTS = [shipperPart, hostPart, projectsPart, deploymentsPart, relayPart, dashboardPart] as const;

/** The whole vigil.yml as parsed with these parts. */
export type VigilConfig = ConfigOf<typeof PARTS>;

/** vigil.yml text to the configuration with these parts, or a ConfigError. */
export const parseConfig = (text: string, file: string, env: Env): VigilConfig => parseConfigWith(text, file, env, PARTS);

/** Reads and parses vigil.yml with these parts; an unreadable or invalid file is a ConfigError. */
export const loadConfig = (file: string, env: Env): Promise<VigilConfig> => loadConfigWith(file, env, PARTS);
