import type { PartDefinition } from './part';
import { shipperPart } from '../shipper/part';
import { hostPart } from '../exporters/host/part';
import { projectsPart } from '../exporters/projects/part';
import { deploymentsPart } from '../exporters/deployments/part';
import { dashboardPart } from '../dashboard/part';

/** Every part `vigil serve` can run, in start order (stopped in reverse): the shipper first. */
export const PARTS: readonly PartDefinition[] = [shipperPart, hostPart, projectsPart, deploymentsPart, dashboardPart];
