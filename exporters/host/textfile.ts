import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily, Sample } from '../../core/exposition';
import { parsePromText, type ParsedFamily } from './prom-text';

/** One *.prom file as read at scrape time: its path, mtime, and families or the reason it failed. */
export interface TextFile {
  readonly path: string;
  readonly mtimeSeconds: number;
  readonly families?: ParsedFamily[];
  readonly error?: string;
}

/**
 * Pure: the families of every readable file, node_textfile_mtime_seconds of those, and
 * node_textfile_scrape_error (1 if the directory or any file could not be read or parsed).
 * Histogram and summary series keep their names but are exposed untyped.
 */
export function textfileFamilies(files: readonly TextFile[], dirError: boolean): MetricFamily[] {
  const byName = new Map<string, { help: string; type: MetricFamily['type']; samples: Sample[]; paths: string[] }>();
  const mtimes: Sample[] = [];
  let error = dirError;
  for (const file of files) {
    if (!file.families) {
      error = true;
      continue;
    }
    mtimes.push({ labels: { file: file.path.slice(file.path.lastIndexOf('/') + 1) }, value: file.mtimeSeconds });
    for (const f of file.families) {
      const plain = f.type === 'histogram' || f.type === 'summary' ? undefined : f.type;
      for (const s of f.samples) {
        let out = byName.get(s.name);
        if (!out) byName.set(s.name, (out = { help: f.help ?? '', type: plain ?? 'untyped', samples: [], paths: [] }));
        out.samples.push({ labels: s.labels, value: s.value });
        if (!out.paths.includes(file.path)) out.paths.push(file.path);
      }
    }
  }
  const out: MetricFamily[] = [...byName].map(([name, f]) => ({
    name,
    help: f.help || `Metric read from ${f.paths.join(', ')}`,
    type: f.type,
    samples: f.samples,
  }));
  if (mtimes.length > 0) {
    out.push({ name: 'node_textfile_mtime_seconds', help: 'Unixtime mtime of textfiles successfully read.', type: 'gauge', samples: mtimes });
  }
  out.push({
    name: 'node_textfile_scrape_error',
    help: '1 if there was an error opening or reading a file, 0 otherwise',
    type: 'gauge',
    samples: [{ value: error ? 1 : 0 }],
  });
  return out;
}

/**
 * node_exporter's textfile collector: every *.prom file in `directory`, read afresh on each scrape
 * (files are replaced by rename, so no descriptor is kept open). Without a directory it reports
 * node_textfile_scrape_error 0 only, as node_exporter with an empty --collector.textfile.directory.
 */
export function createTextfileCollector(deps: {
  readonly directory?: string | undefined;
  readonly onFileError?: (path: string, error: string) => void;
}): Collector {
  const readOne = async (path: string): Promise<TextFile | undefined> => {
    try {
      const st = await stat(path);
      if (!st.isFile()) return undefined;
      const families = parsePromText(await readFile(path, 'utf8'));
      return { path, mtimeSeconds: st.mtimeMs / 1000, families };
    } catch (err) {
      const error = (err as Error).message;
      deps.onFileError?.(path, error);
      return { path, mtimeSeconds: 0, error };
    }
  };
  return {
    name: 'textfile',
    async collect() {
      const dir = deps.directory;
      if (dir === undefined) return textfileFamilies([], false);
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => n.endsWith('.prom')).sort();
      } catch (err) {
        deps.onFileError?.(dir, (err as Error).message);
        return textfileFamilies([], true);
      }
      const files = (await Promise.all(names.map((n) => readOne(join(dir, n))))).filter((f): f is TextFile => f !== undefined);
      return textfileFamilies(files, false);
    },
  };
}
