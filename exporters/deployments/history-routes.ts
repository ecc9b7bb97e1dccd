import type { StreamHub } from '../../core/event-stream';
import { streamFilter } from '../../core/event-stream';
import { HttpError, sendJson, type Route } from '../../core/http-server';
import { publicRun } from './model';
import type { RunHistory } from './run-history';

/** The most runs one list request returns. */
const MAX_LIST = 1000;

/** GET routes of the run history: the list, one run, the live stream of changes. */
export function historyRoutes(history: RunHistory, hub: StreamHub): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/deployments',
      handler: (req, res) => {
        const limitText = req.query.get('limit');
        const limit = limitText === null ? 20 : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
          throw new HttpError(400, `limit: expected an integer from 1 to ${MAX_LIST}, got ${JSON.stringify(limitText)}`);
        }
        const projectName = req.query.get('project') || undefined;
        // The list leaves out each run's log lines; GET /api/v1/deployments/:id has them.
        const runs = history.recent(projectName, limit).map((run) => {
          const { logs: _logs, ...rest } = publicRun(run);
          return rest;
        });
        sendJson(res, 200, { runs });
      },
    },
    { method: 'GET', path: '/api/v1/deployments/stream', handler: (req, res) => hub.attach(req.raw, res, streamFilter(req.query, ['project', 'deployment'])) },
    {
      method: 'GET',
      path: '/api/v1/deployments/:id',
      handler: (req, res) => {
        const run = history.get(req.params.id ?? '');
        if (!run) throw new HttpError(404, `no deployment run ${JSON.stringify(req.params.id)}`);
        sendJson(res, 200, publicRun(run));
      },
    },
  ];
}
