/** Every board, in the order of the README; `npm run grafana:build` writes each to dashboards/<uid>.json. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { deploymentsBoard } from './boards/deployments';
import { hostsBoard } from './boards/hosts';
import { projectsBoard } from './boards/projects';
import { stackBoard } from './boards/stack';

export const BOARDS: readonly (() => dashboard.DashboardBuilder)[] = [hostsBoard, projectsBoard, deploymentsBoard, stackBoard];
