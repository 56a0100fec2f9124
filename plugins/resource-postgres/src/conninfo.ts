/**
 * One libpq connection-string value: bare when it is plain, otherwise in
 * single quotes with `\` and `'` backslash-escaped (libpq's rule; an empty
 * value must be quoted too).
 */
export function conninfoValue(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_./:@-]+$/.test(value)) return value;
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `key=value ...` for the defined entries, in the order given. */
export function conninfo(params: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${conninfoValue(String(value))}`)
    .join(' ');
}

/** A postgresql.conf value: single-quoted, with `'` doubled and `\` doubled. */
export function confValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** libpq's connect_timeout in whole seconds; libpq treats anything below 2 as 2. */
export function connectTimeoutS(timeoutMs: number): number {
  return Math.max(2, Math.min(30, Math.ceil(timeoutMs / 1000)));
}
