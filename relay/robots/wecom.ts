import type { WecomTarget } from '../config';
import type { Alert } from '../payload';
import { mentionValues, type RobotKind } from './robot';

const USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;
const MOBILE = /^\+?[0-9-]{5,20}$/;
/** Characters of the title in the mention message (a text message takes 2,048 bytes). */
const MENTION_TITLE_CHARS = 200;

function users(target: WecomTarget, alerts: readonly Alert[]): string[] {
  return mentionValues(target.mention.users, target.mention.user_label, USER_ID, alerts);
}

function mobiles(target: WecomTarget, alerts: readonly Alert[]): string[] {
  return mentionValues(target.mention.mobiles, target.mention.mobile_label, MOBILE, alerts);
}

/**
 * WeCom group robot: a markdown message. Its markdown mentions people only as "<@userid>" in the
 * content; `mentioned_mobile_list` belongs to text messages. So user ids are mentioned in the
 * markdown, and mobiles (when configured) in a short text message sent right after it, whose content
 * is the message's title: what WeCom users do to mention by mobile and keep the markdown.
 */
export function wecomRequest(target: WecomTarget): RobotKind {
  return {
    mentionTokens: (alerts) => users(target, alerts).map((u) => `<@${u}>`),
    request(title, text, alerts) {
      const mentioned = mobiles(target, alerts);
      const main = { url: target.url, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: text } }) };
      if (mentioned.length === 0) return main;
      const content = [...title].slice(0, MENTION_TITLE_CHARS).join('');
      return { ...main, followUp: { url: target.url, body: JSON.stringify({ msgtype: 'text', text: { content, mentioned_mobile_list: mentioned } }) } };
    },
  };
}
