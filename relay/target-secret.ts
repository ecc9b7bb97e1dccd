import { readSecret, Secret } from '../core/secrets';
import type { TargetConfig } from './config';

/** A DingTalk target's signing secret: `secret` (from the environment by ${VAR}) or `secret_file`. */
export async function targetSecret(name: string, target: TargetConfig): Promise<Secret | undefined> {
  if (target.type !== 'dingtalk') return undefined;
  if (target.secret !== undefined) return new Secret(target.secret, `relay.targets.${name}.secret`);
  if (target.secret_file === undefined) return undefined;
  return readSecret({}, { variable: 'VIGIL_RELAY_UNUSED', file: target.secret_file, fileKey: `relay.targets.${name}.secret_file` });
}
