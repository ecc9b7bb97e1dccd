import { resolveSecret } from '../exporters/deployments/secrets';
import type { TargetConfig } from './config';

/** A DingTalk target's signing secret: `secret` (from the environment by ${VAR}) or `secret_file`. */
export async function targetSecret(target: TargetConfig): Promise<string | undefined> {
  if (target.type !== 'dingtalk') return undefined;
  if (target.secret !== undefined) return target.secret;
  if (target.secret_file === undefined) return undefined;
  return (await resolveSecret(target.secret_file, {}, ''))?.value;
}
