import { spawn } from 'node:child_process';

/**
 * Runs `promtool check metrics` on exposition text. Returns its findings, one per line, minus
 * the camelCase warnings for the node_memory_* names that node_exporter itself uses.
 * promtool exits 0 when clean, 3 for lint findings and 1 for a parse error.
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
    .filter((l) => !/^node_memory_[A-Za-z0-9_]+ metric names should be written in 'snake_case' not 'camelCase'$/.test(l));
  return { code, findings };
}
