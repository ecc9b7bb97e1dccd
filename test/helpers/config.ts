import assert from 'node:assert/strict';
import { ConfigError } from '../../core/config';
import { parseConfig } from '../../bin/parts';

export const CONFIG_FILE = 'vigil.yml';

/** The message of the ConfigError that parsing `yaml` must throw; fails the test if it parses. */
export function configErrorOf(yaml: string, env: Record<string, string> = {}): string {
  try {
    parseConfig(yaml, CONFIG_FILE, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`expected the config to be refused:\n${yaml}`);
}
