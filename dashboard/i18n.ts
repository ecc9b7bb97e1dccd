/** The portal's two languages: English and Chinese, chosen from ?lang=, a cookie, then Accept-Language. */
export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

const en = {
  title: 'Vigil',
  home: 'Home',
  projects: 'Projects',
  deployments: 'Deployments',
  alerts: 'Alerts',
  components: 'Components',
  up: 'up',
  down: 'down',
  degraded: 'degraded',
  unknown: 'unknown',
  unconfigured: 'not configured',
  version: 'version',
  open: 'open',
  firing: 'firing',
  silenced: 'silenced',
  inhibited: 'inhibited',
  noFiring: 'No alert is firing.',
  projectsDown: 'Projects down',
  noneDown: 'Every project is up.',
  latestDeployments: 'Latest deployments',
  noDeployments: 'No deployment yet.',
  noProjects: 'No project is configured.',
  project: 'Project',
  status: 'Status',
  responseTime: 'Response time',
  chart24h: 'Last 24 h',
  availability: 'Availability 24 h',
  tlsDays: 'TLS days left',
  lastDeployment: 'Last deployment',
  lastCheck: 'Last check',
  links: 'Links',
  grafana: 'Grafana',
  kibana: 'Kibana',
  site: 'site',
  checkNow: 'Check now',
  all: 'all',
  filter: 'Filter',
  sortBy: 'Sort by',
  name: 'name',
  noHistory: 'History needs Prometheus: set dashboard.prometheus.url. Live values come from Vigil itself.',
  historyFailed: 'Prometheus did not answer: history is not shown',
  alertsUnconfigured: 'Alerts need Alertmanager: set dashboard.alertmanager.url.',
  alertsFailed: 'Alertmanager did not answer',
  run: 'Run',
  workflow: 'Workflow',
  environment: 'Environment',
  result: 'Result',
  started: 'Started',
  duration: 'Duration',
  queue: 'Queue',
  commit: 'Commit',
  branch: 'Branch',
  actor: 'Actor',
  jobsAndSteps: 'Jobs and steps',
  logs: 'Logs',
  noLogs: 'No log line arrived for this run.',
  github: 'GitHub',
  notFound: 'Not found',
  severity: 'Severity',
  alert: 'Alert',
  since: 'since',
  silence: 'silence',
  board: 'board',
  runbook: 'runbook',
  noProject: '(no project)',
  live: 'Updates live',
  checked: 'checked',
  language: '中文',
  signedInAs: 'signed in as',
  inProgress: 'in progress',
} as const;

export type Messages = { readonly [K in keyof typeof en]: string };

const zh: Messages = {
  title: 'Vigil 监控',
  home: '首页',
  projects: '项目',
  deployments: '部署',
  alerts: '告警',
  components: '组件',
  up: '正常',
  down: '故障',
  degraded: '降级',
  unknown: '未知',
  unconfigured: '未配置',
  version: '版本',
  open: '打开',
  firing: '触发中',
  silenced: '已静默',
  inhibited: '已抑制',
  noFiring: '没有正在触发的告警。',
  projectsDown: '故障项目',
  noneDown: '所有项目运行正常。',
  latestDeployments: '最近部署',
  noDeployments: '还没有部署记录。',
  noProjects: '没有配置任何项目。',
  project: '项目',
  status: '状态',
  responseTime: '响应时间',
  chart24h: '最近 24 小时',
  availability: '24 小时可用率',
  tlsDays: 'TLS 证书剩余天数',
  lastDeployment: '最近部署',
  lastCheck: '最近检查',
  links: '链接',
  grafana: 'Grafana',
  kibana: 'Kibana',
  site: '网站',
  checkNow: '立即检查',
  all: '全部',
  filter: '筛选',
  sortBy: '排序',
  name: '名称',
  noHistory: '历史数据需要 Prometheus：请设置 dashboard.prometheus.url。实时数据来自 Vigil 本身。',
  historyFailed: 'Prometheus 没有响应：不显示历史数据',
  alertsUnconfigured: '告警需要 Alertmanager：请设置 dashboard.alertmanager.url。',
  alertsFailed: 'Alertmanager 没有响应',
  run: '运行',
  workflow: '工作流',
  environment: '环境',
  result: '结果',
  started: '开始时间',
  duration: '耗时',
  queue: '排队',
  commit: '提交',
  branch: '分支',
  actor: '触发人',
  jobsAndSteps: '任务与步骤',
  logs: '日志',
  noLogs: '这次运行还没有日志。',
  github: 'GitHub',
  notFound: '未找到',
  severity: '级别',
  alert: '告警',
  since: '开始于',
  silence: '静默',
  board: '看板',
  runbook: '处理手册',
  noProject: '（无项目）',
  live: '实时更新',
  checked: '已检查',
  language: 'English',
  signedInAs: '当前用户',
  inProgress: '进行中',
};

export const MESSAGES: Readonly<Record<Lang, Messages>> = { en, zh };

const isLang = (v: unknown): v is Lang => v === 'en' || v === 'zh';

/** The first language of Accept-Language (by q) that the portal speaks; English otherwise. */
export function fromAcceptLanguage(header: string | undefined): Lang {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    const primary = tag.split('-')[0];
    if (isLang(primary)) return primary;
  }
  return 'en';
}

/** ?lang= wins (and is remembered in a cookie by the caller), then the cookie, then the header. */
export function chooseLang(query: unknown, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(query)) return query;
  const c = /(?:^|;\s*)vigil_lang=(en|zh)(?:;|$)/.exec(cookie ?? '')?.[1];
  if (isLang(c)) return c;
  return fromAcceptLanguage(acceptLanguage);
}
