import { spawn } from 'node:child_process';

/**
 * promtool's findings on node_exporter's own names, which the host part keeps so that boards and
 * rules work unchanged: /proc field names (node_memory_MemTotal_bytes, node_netstat_Tcp_InSegs,
 * node_sockstat_TCP_inuse) and entropy counted in bits.
 */
const NODE_EXPORTER_NAMES = [
  /^node_(memory|netstat|sockstat)_[A-Za-z0-9_]+ metric names should be written in 'snake_case' not 'camelCase'$/,
  /^node_entropy_(available|pool_size)_bits use base unit "bytes" instead of "bits"$/,
];

/**
 * Runs `promtool check metrics` on exposition text. Returns its findings, one per line, minus
 * those on node_exporter's own names (above). promtool exits 0 when clean, 3 for lint findings
 * and 1 for a parse error.
 */
export async function promtoolFindings(text: string): Promise<{ code: number | null; findings: string[] }> {
  const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdin.end(text);
  const code = await exit;
  const findings = out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .filter((l) => !NODE_EXPORTER_NAMES.some((re) => re.test(l)));
  return { code, findings };
}
