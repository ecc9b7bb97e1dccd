import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Secret } from '../../core/secrets';
import { createComposer, loadTemplates } from '../../relay/compose';
import { relayConfigSchema, type RelayConfig } from '../../relay/config';
import { cutToBytes } from '../../relay/fit';
import { formatDuration, formatTime } from '../../relay/time-format';
import { silenceUrl } from '../../relay/view';
import { samplePayload } from './fixtures';

const NOW = Date.parse('2026-11-29T23:05:00Z');

function setup(extra: Record<string, unknown> = {}, target: Record<string, unknown> = {}) {
  const cfg: RelayConfig = relayConfigSchema.parse({
    enabled: true,
    targets: { ops: { type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', ...target } },
    ...extra,
  });
  const t = cfg.targets.ops;
  assert.ok(t);
  const errors: unknown[] = [];
  return { compose: createComposer(cfg, t, new Secret('SECx', 'test'), loadTemplates(cfg), (e) => errors.push(e)), errors };
}

test('time zone formatting: Asia/Shanghai by default, any IANA zone, offsets with half hours', () => {
  const t = Date.parse('2026-11-29T22:30:00Z');
  assert.equal(formatTime(t, 'Asia/Shanghai'), '2026-11-30 06:30:00 (UTC+08:00)');
  assert.equal(formatTime(t, 'UTC'), '2026-11-29 22:30:00 (UTC+00:00)');
  assert.equal(formatTime(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York'), '2026-07-01 08:00:00 (UTC-04:00)');
  assert.equal(formatTime(Date.parse('2026-01-01T00:00:00Z'), 'Asia/Kolkata'), '2026-01-01 05:30:00 (UTC+05:30)');
  assert.equal(formatDuration(3_725_000, 'en'), '1h 2m');
  assert.equal(formatDuration(3_725_000, 'zh'), '1小时2分钟');
  assert.equal(formatDuration(90_061_000, 'en'), '1d 1h');
  assert.equal(formatDuration(400, 'en'), '0s');
});

test('a bad time zone is a config error', () => {
  const r = relayConfigSchema.safeParse({ time_zone: 'Mars/Olympus' });
  assert.equal(r.success, false);
  assert.match(JSON.stringify(r.error?.issues), /IANA time zone/);
});

test('the Chinese message: status, severity, name, host, summary, description, times in Asia/Shanghai, labels, links', () => {
  const { compose } = setup();
  const m = compose([samplePayload(1)], NOW);
  assert.equal(m.title, '[告警:1] HostDown');
  for (const part of [
    '🔥 告警',
    'HostDown',
    '**级别：** critical',
    '**项目：** shop',
    'web-1 is down',
    'has not answered for 5 minutes',
    '2026-11-30 06:00:00 (UTC+08:00)',
    '**持续：** 1小时5分钟',
    'team=ops',
    '[看板](https://grafana.example/d/hosts)',
    '[处理手册](https://runbooks.example/HostDown)',
    '[静默](http://alertmanager.example:9093/#/silences/new?filter=',
  ]) {
    assert.ok(m.text.includes(part), `missing ${part} in\n${m.text}`);
  }
  assert.doesNotMatch(m.text, /\n\n\n/, 'control lines leave no blank runs');
  const body = JSON.parse(m.request.body) as { msgtype: string; markdown: { title: string; text: string } };
  assert.equal(body.msgtype, 'markdown');
  assert.equal(body.markdown.text, m.text);
});

test('the English resolved message says when it ended and how long it lasted; no silence link', () => {
  const { compose } = setup({ language: 'en', time_zone: 'UTC' });
  const m = compose([samplePayload(1, {}, 'resolved')], NOW);
  assert.equal(m.title, '[RESOLVED] HostDown');
  assert.match(m.text, /✅ RESOLVED: HostDown/);
  assert.match(m.text, /\*\*Started:\*\* 2026-11-29 22:00:00 \(UTC\+00:00\)/);
  assert.match(m.text, /\*\*Resolved:\*\* 2026-11-29 22:35:00 \(UTC\+00:00\)/);
  assert.match(m.text, /\*\*Lasted:\*\* 35m/);
  assert.doesNotMatch(m.text, /Silence/);
});

test('the silence link carries every label of the alert as a matcher', () => {
  const url = silenceUrl('http://am:9093/', { b: 'x"y', a: '1' });
  assert.equal(url, `http://am:9093/#/silences/new?filter=${encodeURIComponent('{a="1",b="x\\"y"}')}`);
});

test('markdown is not HTML-escaped', () => {
  const { compose } = setup();
  const p = samplePayload(1);
  (p.alerts[0] as { annotations: Record<string, string> }).annotations.summary = 'load > 5 & <rising>';
  assert.match(compose([p], NOW).text, /load > 5 & <rising>/);
});

test('mentions: fixed mobiles and the owner label go in at.atMobiles and as @mobile in the text; @all on critical', () => {
  const { compose } = setup({}, { mention: { mobiles: ['13900000009'], mobile_label: 'owner_mobile', all_on_severity: 'critical' } });
  const m = compose([samplePayload(1)], NOW);
  const body = JSON.parse(m.request.body) as { at: { atMobiles: string[]; isAtAll: boolean } };
  assert.deepEqual(body.at.atMobiles, ['13900000009', '13800000001']);
  assert.equal(body.at.isAtAll, true);
  assert.match(m.text, /@13900000009 @13800000001 @all/);
  const resolved = JSON.parse(compose([samplePayload(1, {}, 'resolved')], NOW).request.body) as { at: { isAtAll: boolean } };
  assert.equal(resolved.at.isAtAll, false, '@all only for a firing alert');
});

test('the keyword is in the title and the text; the URL is signed', () => {
  const { compose } = setup({}, { keyword: 'Vigil告警' });
  const m = compose([samplePayload(1)], NOW);
  assert.match(m.title, /Vigil告警/);
  assert.match(m.text, /Vigil告警/);
  const url = new URL(m.request.url);
  assert.equal(url.searchParams.get('access_token'), 't');
  assert.equal(url.searchParams.get('timestamp'), String(NOW));
  assert.ok(url.searchParams.get('sign'));
});

test('WeCom: markdown content with <@userid> mentions, no signature', () => {
  const { compose } = setup({}, { type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', mention: { users: ['zhangsan'], user_label: 'team' } });
  const m = compose([samplePayload(1)], NOW);
  const body = JSON.parse(m.request.body) as { msgtype: string; markdown: { content: string } };
  assert.equal(body.msgtype, 'markdown');
  assert.match(body.markdown.content, /<@zhangsan> <@ops>/);
  assert.equal(m.request.url, 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k');
});

test('WeCom: mobiles to mention (fixed and from a label) go in a text message after the markdown one', () => {
  const { compose } = setup({ language: 'en' }, { type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', mention: { mobiles: ['13900000000'], mobile_label: 'owner_mobile' } });
  const m = compose([samplePayload(2)], NOW);
  const markdown = JSON.parse(m.request.body) as { msgtype: string; markdown: { content: string } };
  assert.equal(markdown.msgtype, 'markdown');
  assert.doesNotMatch(markdown.markdown.content, /13900000000|@138/, 'no mobile mention in the markdown (it would show as plain text)');
  assert.ok(m.request.followUp);
  assert.equal(m.request.followUp.url, m.request.url);
  assert.deepEqual(JSON.parse(m.request.followUp.body), { msgtype: 'text', text: { content: m.title, mentioned_mobile_list: ['13900000000', '13800000001'] } });
  const plain = setup({}, { type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', mention: { mobile_label: 'absent' } }).compose([samplePayload(1)], NOW);
  assert.equal(plain.request.followUp, undefined, 'no mobile: one request');
  const dingtalk = setup({}, { mention: { mobiles: ['13900000000'] } }).compose([samplePayload(1)], NOW);
  assert.equal(dingtalk.request.followUp, undefined, 'DingTalk mentions mobiles in the markdown message itself');
});

for (const [type, limit] of [
  ['dingtalk', 20_000],
  ['wecom', 4096],
] as const) {
  test(`a grouped notification past ${type}'s ${limit} bytes is cut with "and N more"`, () => {
    const url = type === 'wecom' ? 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' : 'https://oapi.dingtalk.com/robot/send?access_token=t';
    const { compose } = setup({ language: 'en' }, { type, url });
    const m = compose([samplePayload(300)], NOW);
    const bytes = Buffer.byteLength(m.text);
    assert.ok(bytes <= limit, `${bytes} bytes`);
    assert.ok(m.shown > 0 && m.shown < 300);
    assert.match(m.text, new RegExp(`…and ${300 - m.shown} more`));
    const shownHosts = [...m.text.matchAll(/FIRING: HostDown/g)];
    assert.equal(shownHosts.length, m.shown);
    // One more alert would not have fitted.
    const bigger = compose([samplePayload(m.shown + 1)], NOW);
    assert.ok(bigger.shown === m.shown + 1 || Buffer.byteLength(bigger.text) <= limit);
  });
}

test('a small notification is not cut', () => {
  const { compose } = setup({ language: 'en' });
  const m = compose([samplePayload(3)], NOW);
  assert.equal(m.shown, 3);
  assert.doesNotMatch(m.text, /more/);
});

test('cutting to bytes never splits a character', () => {
  assert.equal(cutToBytes('告警告警', 7), '告警');
  assert.equal(cutToBytes('abc', 10), 'abc');
});

test('a digest of several notifications says so and keeps every alert', () => {
  const { compose } = setup({ language: 'en' });
  const m = compose([samplePayload(1), samplePayload(2, {}, 'resolved')], NOW);
  assert.equal(m.title, '[DIGEST:2]');
  assert.match(m.text, /2 notifications merged into one message \(robot rate limit\): 1 firing, 2 resolved/);
  assert.equal(m.shown, 3);
});

test('templates_dir overrides a language template; a template that fails falls back to the built-in one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'relay-tpl-'));
  try {
    await writeFile(join(dir, 'message.en.eta'), 'ALERT <%= it.groups[0].alerts[0].alertname %> <%= it.groups[0].alerts[0].summary %>\n');
    const { compose } = setup({ language: 'en', templates_dir: dir });
    assert.equal(compose([samplePayload(1)], NOW).text, 'ALERT HostDown web-1 is down\n');
    const zh = setup({ language: 'zh', templates_dir: dir });
    assert.match(zh.compose([samplePayload(1)], NOW).text, /告警/, 'no zh file there: the built-in one');

    await writeFile(join(dir, 'message.en.eta'), '<%= it.nothing.here %>');
    const broken = setup({ language: 'en', templates_dir: dir });
    const m = broken.compose([samplePayload(1)], NOW);
    assert.match(m.text, /FIRING: HostDown/);
    assert.equal(broken.errors.length, 1);
    assert.match(String(broken.errors[0]), /message\.en\.eta/);

    await writeFile(join(dir, 'message.en.eta'), '<% if ( %>');
    assert.throws(() => setup({ language: 'en', templates_dir: dir }), /message\.en\.eta/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
