import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../bin/parts';
import { CONFIG_FILE, configErrorOf } from '../helpers/config';

describe('dashboard config', () => {
  it('has every default in the schema: off, 2s timeout, 15s cache, no component, check now for signed-in viewers', () => {
    const c = parseConfig('', CONFIG_FILE, {}).dashboard;
    assert.deepEqual(c, { enabled: false, timeout: 2000, cache: 15_000, auth: {}, check_now: 'authenticated' });
    const g = parseConfig('dashboard: {grafana: {url: "http://g:3000"}, kibana: {url: "http://k:5601"}}', CONFIG_FILE, {}).dashboard;
    assert.deepEqual(g.grafana, { url: 'http://g:3000', headers: {}, projects_board_uid: 'vigil-projects', deployments_board_uid: 'vigil-deployments' });
    assert.equal(g.kibana?.data_view, 'vigil-logs');
  });

  it('refuses bad values naming the key path', () => {
    assert.match(configErrorOf('dashboard: {prometheus: {url: "ftp://x"}}'), /dashboard\.prometheus\.url: expected an http:\/\/ or https:\/\/ URL/);
    assert.match(configErrorOf('dashboard: {grafana: {url: "http://g", color: red}}'), /dashboard\.grafana: unknown key "color"/);
    assert.match(configErrorOf('dashboard: {timeout: 0s}'), /dashboard\.timeout: expected a timeout greater than zero/);
    assert.match(configErrorOf('dashboard: {auth: {basic: {username: a}, proxy_header: X-User}}'), /dashboard\.auth: expected either basic or proxy_header, not both/);
    assert.match(configErrorOf('dashboard: {auth: {proxy_header: "X User"}}'), /dashboard\.auth\.proxy_header: expected an HTTP header name/);
    assert.match(configErrorOf('dashboard: {check_now: always}'), /dashboard\.check_now/);
    assert.match(configErrorOf('dashboard: {elasticsearch: {url: "http://e", headers: {"bad header": x}}}'), /dashboard\.elasticsearch\.headers\.bad header: expected an HTTP header name/);
  });
});
