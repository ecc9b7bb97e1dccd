import type { Secret } from '../../core/secrets';
import type { DingtalkTarget } from '../config';
import { signedUrl } from '../dingtalk-sign';
import type { Alert } from '../payload';
import { mentionValues, type RobotKind } from './robot';

const MOBILE = /^\+?[0-9-]{5,20}$/;

function mobiles(target: DingtalkTarget, alerts: readonly Alert[]): string[] {
  return mentionValues(target.mention.mobiles, target.mention.mobile_label, MOBILE, alerts);
}

function atAll(target: DingtalkTarget, alerts: readonly Alert[]): boolean {
  const sev = target.mention.all_on_severity;
  return sev !== undefined && alerts.some((a) => a.status === 'firing' && a.labels.severity === sev);
}

/**
 * DingTalk custom robot: a markdown message; mentioned mobiles go in `at.atMobiles` and must also be
 * written as "@mobile" in the text; the URL is signed when the robot has a secret.
 */
export function dingtalkRequest(target: DingtalkTarget, secret: Secret | undefined): RobotKind {
  return {
    mentionTokens: (alerts) => [...mobiles(target, alerts).map((m) => `@${m}`), ...(atAll(target, alerts) ? ['@all'] : [])],
    request(title, text, alerts, now) {
      const body = {
        msgtype: 'markdown',
        markdown: { title, text },
        at: { atMobiles: mobiles(target, alerts), isAtAll: atAll(target, alerts) },
      };
      return { url: signedUrl(target.url, secret?.reveal(), now), body: JSON.stringify(body) };
    },
  };
}
