import type { WecomTarget } from '../config';
import type { Alert } from '../payload';
import { mentionValues, type RobotKind } from './robot';

const USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;

function users(target: WecomTarget, alerts: readonly Alert[]): string[] {
  return mentionValues(target.mention.users, target.mention.user_label, USER_ID, alerts);
}

/**
 * WeCom group robot: a markdown message. Its markdown mentions people only as "<@userid>" in the
 * content (mentioned_list and mentioned_mobile_list belong to text messages), so mentions are user ids.
 */
export function wecomRequest(target: WecomTarget): RobotKind {
  return {
    mentionTokens: (alerts) => users(target, alerts).map((u) => `<@${u}>`),
    request(_title, text) {
      return { url: target.url, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: text } }) };
    },
  };
}
