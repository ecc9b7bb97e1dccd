import { basename, dirname, join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily, Sample } from '../../core/exposition';
import type { FileReader } from './file-reader';
import { listOptional, readOptional, realpathOptional } from './read-optional';

/** One chip under /sys/class/hwmon: node_exporter's stable chip name, its `name` file and sensor files. */
export interface HwmonChip {
  readonly chip: string;
  readonly chipName?: string;
  /** Sensor files by name ("temp1_input" -> "45000"), trailing newline removed. */
  readonly files: ReadonlyMap<string, string>;
}

/** Pure: node_exporter's cleanMetricName: lower case, [^a-z0-9:_] to "_", trimmed of "_" and " ". */
export function cleanHwmonName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9:_]/g, '_')
    .replace(/^[_ ]+|[_ ]+$/g, '');
}

/**
 * Pure: the chip label as node_exporter derives it: "<bus>_<device>" from the resolved `device`
 * link (platform_coretemp_0), else the cleaned `name` file, else the hwmon directory's name.
 */
export function hwmonChipLabel(devicePath: string | undefined, nameFile: string | undefined, dirName: string): string {
  if (devicePath !== undefined) {
    const devName = cleanHwmonName(basename(devicePath));
    const devType = cleanHwmonName(basename(dirname(devicePath)));
    if (devType !== '' && devName !== '') return `${devType}_${devName}`;
    if (devName !== '') return devName;
  }
  const clean = nameFile === undefined ? '' : cleanHwmonName(nameFile);
  return clean !== '' ? clean : cleanHwmonName(dirName);
}

/** A sensor file name: "temp1_crit_alarm" -> type "temp", sensor "temp1", element "crit_alarm". */
const SENSOR_FILE = /^(temp)(\d+)(?:_(.+))?$/;

/**
 * Pure: node_exporter's hwmon families for temperature sensors (millidegrees to degrees Celsius),
 * chip names and sensor labels. Other sensor types (fan, in, power, ...) are not exported yet.
 */
export function hwmonFamilies(chips: readonly HwmonChip[]): MetricFamily[] {
  const byName = new Map<string, { help: string; samples: Sample[] }>();
  const add = (name: string, help: string, sample: Sample): void => {
    let f = byName.get(name);
    if (!f) byName.set(name, (f = { help, samples: [] }));
    f.samples.push(sample);
  };
  for (const c of chips) {
    if (c.chipName !== undefined) {
      add('node_hwmon_chip_names', 'Annotation metric for human-readable chip names', { labels: { chip: c.chip, chip_name: c.chipName }, value: 1 });
    }
    for (const [file, raw] of [...c.files].sort(([a], [b]) => a.localeCompare(b))) {
      const m = SENSOR_FILE.exec(file);
      if (!m) continue;
      const sensor = `${m[1]}${m[2]}`;
      const element = m[3] ?? '';
      if (element === 'label') {
        add('node_hwmon_sensor_label', 'Label for given chip and sensor', { labels: { chip: c.chip, label: raw.trim(), sensor }, value: 1 });
        continue;
      }
      const value = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(value) || element === 'type') continue;
      if (element === 'alarm' || element === 'fault') {
        add(`node_hwmon_temp_${element}`, `Hardware sensor ${element} status (temp)`, { labels: { chip: c.chip, sensor }, value });
        continue;
      }
      if (element === 'beep') {
        add('node_hwmon_temp_beep_enabled', 'Hardware monitor sensor has beeping enabled', { labels: { chip: c.chip, sensor }, value });
        continue;
      }
      const name = element === '' || element === 'input' ? 'node_hwmon_temp_celsius' : `node_hwmon_temp_${cleanHwmonName(element)}_celsius`;
      add(name, `Hardware monitor for temperature (${element === '' ? 'input' : element})`, { labels: { chip: c.chip, sensor }, value: value * 0.001 });
    }
  }
  return [...byName].map(([name, f]) => ({ name, help: f.help, type: 'gauge' as const, samples: f.samples }));
}

/**
 * node_exporter's hwmon collector (temperatures, chip names, sensor labels) from sysfs/class/hwmon.
 * A machine without hwmon (most VMs) yields no families.
 */
export function createHwmonCollector(deps: { readonly reader: FileReader; readonly sysfs: string }): Collector {
  const root = join(deps.sysfs, 'class', 'hwmon');
  const readChip = (entry: string): HwmonChip => {
    const dir = join(root, entry);
    const devicePath = realpathOptional(join(dir, 'device'));
    const nameFile = readOptional(deps.reader, join(dir, 'name'), { single: true });
    const files = new Map<string, string>();
    for (const f of listOptional(dir) ?? []) {
      if (!SENSOR_FILE.test(f)) continue;
      const text = readOptional(deps.reader, join(dir, f), { single: true });
      if (text !== undefined) files.set(f, text.replace(/\n$/, ''));
    }
    const chipName = nameFile === undefined ? undefined : cleanHwmonName(nameFile);
    return { chip: hwmonChipLabel(devicePath, nameFile, entry), ...(chipName ? { chipName } : {}), files };
  };
  return {
    name: 'hwmon',
    collect() {
      const entries = listOptional(root);
      return entries === undefined ? [] : hwmonFamilies(entries.sort().map(readChip));
    },
  };
}
