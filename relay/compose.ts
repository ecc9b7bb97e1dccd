import type { Secret } from '../core/secrets';
import type { RelayConfig, TargetConfig } from './config';
import { fitMessage } from './fit';
import type { Payload } from './payload';
import { robotKind, type RobotRequest } from './robots/robot';
import { loadTemplate, type Render } from './templates';
import { prepare } from './view';

export interface Message {
  readonly title: string;
  readonly text: string;
  /** Alerts in the text; the others are counted as "and N more". */
  readonly shown: number;
  readonly total: number;
  readonly request: RobotRequest;
}

export type Composer = (payloads: readonly Payload[], now: number) => Message;

/** The templates of a configuration: the user's (templates_dir) and the built-in ones to fall back on. */
export interface Templates {
  readonly own: Readonly<Record<string, Render>>;
  readonly builtin: Readonly<Record<string, Render>>;
}

/** Compiles every language's template; throws (naming the file) when one of the user's is broken. */
export function loadTemplates(cfg: RelayConfig): Templates {
  const own: Record<string, Render> = {};
  const builtin: Record<string, Render> = {};
  for (const lang of ['zh', 'en'] as const) {
    builtin[lang] = loadTemplate(lang, undefined);
    if (cfg.templates_dir !== undefined) own[lang] = loadTemplate(lang, cfg.templates_dir);
  }
  return { own, builtin };
}

/**
 * Turns notifications into one robot message: the view, the text cut to the robot's size limit, the
 * mentions and the request. A user template that fails on some alert falls back to the built-in one
 * (reported through onTemplateError) rather than losing the notification.
 */
export function createComposer(cfg: RelayConfig, target: TargetConfig, secret: Secret | undefined, templates: Templates, onTemplateError: (err: unknown) => void): Composer {
  const lang = target.language ?? cfg.language;
  const robot = robotKind(target, secret);
  const own = templates.own[lang];
  const builtin = templates.builtin[lang] as Render;
  return (payloads, now) => {
    const alerts = payloads.flatMap((p) => p.alerts);
    const prepared = prepare(payloads, {
      lang,
      robot: target.type,
      timeZone: cfg.time_zone,
      hiddenLabels: cfg.hidden_labels,
      mentions: robot.mentionTokens(alerts),
      now,
      ...(target.keyword !== undefined ? { keyword: target.keyword } : {}),
    });
    let fitted;
    try {
      fitted = fitMessage(prepared, own ?? builtin, target.max_bytes);
    } catch (err) {
      if (!own) throw err;
      onTemplateError(err);
      fitted = fitMessage(prepared, builtin, target.max_bytes);
    }
    const title = prepared.base.title;
    return { title, text: fitted.text, shown: fitted.shown, total: prepared.total, request: robot.request(title, fitted.text, alerts, now) };
  };
}
