import { familyHeader, formatLabels, formatValue, renderFamilies, type MetricFamily, type MetricType } from '../../core/exposition';

interface Header {
  readonly help: string;
  readonly type: MetricType;
  readonly text: string;
}

/**
 * The host part's exposition text: byte for byte what core's renderFamilies() gives, with each
 * family's HELP/TYPE block rendered once and kept (the host's ~220 families are the same names
 * on every scrape; a name whose help or type changes gets its block rendered again).
 */
export function createHostRenderer(): (families: readonly MetricFamily[]) => string {
  const headers = new Map<string, Header>();
  const header = (f: MetricFamily): string => {
    const known = headers.get(f.name);
    if (known && known.help === f.help && known.type === f.type) return known.text;
    const text = familyHeader(f.name, f.help, f.type);
    headers.set(f.name, { help: f.help, type: f.type, text });
    return text;
  };
  return (families) => {
    // Families sharing a name are merged under one block: core's renderer does that (rare here).
    const names = new Set<string>();
    for (const f of families) {
      if (names.has(f.name)) return renderFamilies(families);
      names.add(f.name);
    }
    let out = '';
    for (const f of families) {
      out += header(f);
      const name = f.name;
      for (const s of f.samples) out += `${name}${s.labels ? formatLabels(s.labels) : ''} ${formatValue(s.value)}\n`;
    }
    return out;
  };
}
