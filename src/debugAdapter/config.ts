// The launch attribute `config`: an object ({ "UP": true, "PREEMPT_RT": true,
// "CONFIG_NR_CPUS": 4 }) or the scenario's own config lines as text ("UP",
// "PREEMPT_RT on", "config CONFIG_X 3"), one per line or as an array.

/** The loader's override map, or an error message. */
export function parseConfig(config: unknown): Record<string, boolean | number> | string | undefined {
  if (config === undefined || config === null) return undefined;
  if (typeof config === 'string' || Array.isArray(config)) {
    const lines = typeof config === 'string' ? config.split(/\r?\n|;/) : config;
    const out: Record<string, boolean | number> = {};
    for (const raw of lines) {
      if (typeof raw !== 'string') return `expected text lines, found ${JSON.stringify(raw)}`;
      const line = raw.replace(/\/\/.*$/, '').trim().replace(/^config\s+/, '');
      if (!line) continue;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\s+(\S+))?$/.exec(line);
      if (!m) return `cannot read config line '${raw.trim()}': expected NAME [on|off|<integer>]`;
      const v = value(m[2]);
      if (v === undefined) return `cannot read config line '${raw.trim()}': '${m[2]}' is not on, off or an integer`;
      out[m[1]] = v;
    }
    return out;
  }
  if (typeof config === 'object') {
    const out: Record<string, boolean | number> = {};
    for (const [k, raw] of Object.entries(config as Record<string, unknown>)) {
      const v = typeof raw === 'boolean' || typeof raw === 'number' ? raw : typeof raw === 'string' ? value(raw) : undefined;
      if (v === undefined) return `config "${k}": expected true/false, a number, "on" or "off"`;
      out[k] = v;
    }
    return out;
  }
  return `expected an object or text lines, found ${typeof config}`;
}

function value(s: string | undefined): boolean | number | undefined {
  if (s === undefined || s === 'on' || s === 'y' || s === 'true') return true;
  if (s === 'off' || s === 'n' || s === 'false') return false;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16);
  return undefined;
}
