import { z } from 'zod';
import { byteSize, duration } from '../core/duration';

export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** DingTalk's markdown message limit and WeCom's markdown.content limit, in bytes. */
export const DINGTALK_MAX_BYTES = 20_000;
export const WECOM_MAX_BYTES = 4096;

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as "Asia/Shanghai" or "UTC"' },
);

const robotUrl = z.url({ protocol: /^https?$/, error: 'expected the robot webhook URL (http or https)' });
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name');

const common = {
  url: robotUrl,
  /** Overrides relay.language for this target. */
  language: z.enum(LANGUAGES).optional(),
  /** Text the robot requires in every message (its "custom keyword" security setting). */
  keyword: z.string().min(1).max(100).optional(),
};

const dingtalkTarget = z.strictObject({
  type: z.literal('dingtalk'),
  ...common,
  /** The robot's signing secret ("SEC..."); or secret_file. Without either, messages are not signed. */
  secret: z.string().min(1).optional(),
  secret_file: z.string().min(1).optional(),
  max_bytes: z.number().int().min(512).max(DINGTALK_MAX_BYTES).default(DINGTALK_MAX_BYTES),
  mention: z
    .strictObject({
      /** Mobiles mentioned in every message. */
      mobiles: z.array(z.string().regex(/^\+?[0-9-]{5,20}$/, 'expected a mobile number')).default([]),
      /** An alert label holding a mobile to mention (e.g. owner_mobile). */
      mobile_label: labelName.optional(),
      /** Mention everyone (@all) when an alert of this severity fires; unset: never. */
      all_on_severity: z.string().min(1).optional(),
    })
    .prefault({}),
});

const wecomTarget = z.strictObject({
  type: z.literal('wecom'),
  ...common,
  max_bytes: z.number().int().min(512).max(WECOM_MAX_BYTES).default(WECOM_MAX_BYTES),
  mention: z
    .strictObject({
      /** WeCom user ids mentioned in every message (markdown `<@userid>`). */
      users: z.array(z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'expected a WeCom user id')).default([]),
      /** An alert label holding a WeCom user id to mention (e.g. owner_wecom). */
      user_label: labelName.optional(),
      /**
       * Mobiles mentioned in every message. WeCom's markdown cannot mention by mobile, so these go in a
       * short text message (`mentioned_mobile_list`) sent right after the markdown one.
       */
      mobiles: z.array(z.string().regex(/^\+?[0-9-]{5,20}$/, 'expected a mobile number')).default([]),
      /** An alert label holding a mobile to mention the same way (e.g. owner_mobile). */
      mobile_label: labelName.optional(),
    })
    .prefault({}),
});

const target = z.discriminatedUnion('type', [dingtalkTarget, wecomTarget]).refine((t) => !(t.type === 'dingtalk' && t.secret && t.secret_file), {
  message: 'set secret or secret_file, not both',
  path: ['secret_file'],
});

/** The relay's section of vigil.yml; every default lives here. */
export const relayConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    language: z.enum(LANGUAGES).default('zh'),
    time_zone: timeZone.default('Asia/Shanghai'),
    /** A folder whose message.<language>.eta files replace the built-in templates (relay/templates/). */
    templates_dir: z.string().min(1).optional(),
    /** Labels left out of a message's label list (they are shown elsewhere or are noise). */
    hidden_labels: z.array(z.string()).default(['alertname', 'severity', 'project', 'host', 'instance', 'job', 'prometheus', 'summary', 'description']),
    /** File holding the bearer token Alertmanager sends; without it VIGIL_RELAY_TOKEN, else no token is required. */
    token_file: z.string().min(1).optional(),
    /** Largest request body accepted (413 past it). */
    body_limit: byteSize.default(4 * 1024 * 1024),
    rate_limit: z
      .strictObject({
        /** Robot requests allowed per target in each window (DingTalk: 20 a minute). */
        messages: z.number().int().min(1).max(10_000).default(20),
        window: duration.default(60_000),
        /** Most notifications merged into one digest message. */
        max_digest: z.number().int().min(2).max(1000).default(100),
      })
      .prefault({}),
    retry: z
      .strictObject({
        initial: duration.default(1000),
        max: duration.default(300_000),
      })
      .prefault({}),
    request_timeout: duration.default(10_000),
    queue: z
      .strictObject({
        /** Disk kept per target for notifications not yet delivered; past it the relay answers 503. */
        max_bytes: byteSize.default(64 * 1024 * 1024),
        segment_bytes: byteSize.default(1024 * 1024),
        /** 0: never fsync (notifications survive a killed process, not a power loss); else at most this much is lost to one. */
        fsync_interval: duration.default(1000),
      })
      .prefault({}),
    targets: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a target name of letters, digits, "_" or "-"'), target).default({}),
  })
  .superRefine((c, ctx) => {
    if (c.retry.max < c.retry.initial) ctx.addIssue({ code: 'custom', path: ['retry', 'max'], message: 'expected at least retry.initial' });
    if (c.queue.max_bytes < 2 * c.queue.segment_bytes) ctx.addIssue({ code: 'custom', path: ['queue', 'max_bytes'], message: 'expected at least twice queue.segment_bytes' });
    if (c.enabled && Object.keys(c.targets).length === 0) ctx.addIssue({ code: 'custom', path: ['targets'], message: 'expected at least one target when the relay is enabled' });
  });

export type RelayConfig = z.output<typeof relayConfigSchema>;
export type TargetConfig = RelayConfig['targets'][string];
export type DingtalkTarget = Extract<TargetConfig, { type: 'dingtalk' }>;
export type WecomTarget = Extract<TargetConfig, { type: 'wecom' }>;
