import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adjtimex } from '../../../exporters/host/adjtimex';
import { parsePromText, type ParsedFamily } from '../../../exporters/host/prom-text';
import { startNodeExporter } from '../../helpers/node-exporter';
import { startVigil } from '../../helpers/vigil';

/**
 * The real adjtimex(2) through koffi on this machine, against Debian's node_exporter's timex
 * collector scraped in the same test: same families (names, help texts, types), equal values for
 * what does not move between two reads, close ones for the errors and offsets that do.
 */

const timexOf = async (url: string): Promise<Map<string, ParsedFamily>> => {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return new Map(parsePromText(await res.text()).filter((f) => f.name.startsWith('node_timex_')).map((f) => [f.name, f]));
};
const valueOf = (families: Map<string, ParsedFamily>, name: string): number => {
  const samples = families.get(name)?.samples ?? [];
  assert.equal(samples.length, 1, `${name}: one sample`);
  return samples[0]?.value ?? Number.NaN;
};

/** Families whose values keep still between two reads a few milliseconds apart. */
const EQUAL = [
  'node_timex_sync_status',
  'node_timex_status',
  'node_timex_loop_time_constant',
  'node_timex_tick_seconds',
  'node_timex_tai_offset_seconds',
  'node_timex_pps_frequency_hertz',
  'node_timex_pps_jitter_seconds',
  'node_timex_pps_shift_seconds',
  'node_timex_pps_stability_hertz',
  'node_timex_pps_jitter_total',
  'node_timex_pps_calibration_total',
  'node_timex_pps_error_total',
  'node_timex_pps_stability_exceeded_total',
];
/**
 * Families that move: the kernel adds 500 µs a second to the maximum error (until 16 s), an NTP
 * daemon changes offset and frequency between the two scrapes.
 */
const CLOSE: Record<string, number> = {
  node_timex_offset_seconds: 0.01,
  node_timex_frequency_adjustment_ratio: 1e-6,
  node_timex_maxerror_seconds: 0.01,
  node_timex_estimated_error_seconds: 0.01,
};

test('the binding reads glibc struct timex here (x86_64/aarch64 Linux with glibc)', () => {
  const r = adjtimex();
  assert.ok(r, 'koffi and libc.so.6 load on this machine');
  // USER_TICK_USEC unless someone set ADJ_TICK; the state is one of TIME_OK..TIME_ERROR.
  assert.equal(r.timex.tick, 10_000);
  assert.ok(r.state >= 0 && r.state <= 5, `state ${r.state}`);
  // The kernel's fixed tolerance (MAXFREQ, 500 ppm << 16): a misaligned struct would not read it.
  assert.equal(r.timex.tolerance, 500 * 65_536);
  assert.ok(r.timex.maxerror >= 0 && r.timex.maxerror <= 16_000_000, `maxerror ${r.timex.maxerror}`);
});

test("Vigil's timex families equal Debian node_exporter's on this machine", { timeout: 60_000 }, async () => {
  const vigil = await startVigil('host: {collectors: [timex]}\nprojects: {enabled: false}\ndeployments: {enabled: false}\nshipper: {enabled: false}\n');
  const nodeExporter = await startNodeExporter(['--collector.disable-defaults', '--collector.timex']);
  try {
    const [ne, v] = await Promise.all([timexOf(nodeExporter.url), timexOf(vigil.url)]);
    assert.ok(ne.size >= 17, `node_exporter's timex families: ${[...ne.keys()].join(', ')}`);
    const shape = (m: Map<string, ParsedFamily>): string[] => [...m.values()].map((f) => `${f.name} ${f.type} ${f.help ?? ''}`).sort();
    assert.deepEqual(shape(v), shape(ne), 'names, types and help texts');
    for (const name of EQUAL) assert.equal(valueOf(v, name), valueOf(ne, name), name);
    for (const [name, tolerance] of Object.entries(CLOSE)) {
      const [a, b] = [valueOf(v, name), valueOf(ne, name)];
      assert.ok(Math.abs(a - b) <= tolerance, `${name}: Vigil ${a}, node_exporter ${b}`);
    }
    assert.deepEqual([...EQUAL, ...Object.keys(CLOSE)].sort(), [...ne.keys()].sort(), 'every family compared');
  } finally {
    await nodeExporter.stop();
    await vigil.stop();
  }
});
