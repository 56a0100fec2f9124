import { confValue } from './conninfo.js';

/**
 * postgresql.auto.conf with `settings` set: earlier lines that set the same
 * names are dropped (the last one would win anyway, but a file with one
 * line per setting is what an operator expects to read), the new ones are
 * appended. Other lines are kept as they were.
 */
export function withSettings(existing: string, settings: Readonly<Record<string, string>>): string {
  const names = new Set(Object.keys(settings).map((n) => n.toLowerCase()));
  const kept = existing.split('\n').filter((line) => {
    const name = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=?/.exec(line)?.[1]?.toLowerCase();
    return name === undefined || !names.has(name);
  });
  while (kept.length > 0 && kept[kept.length - 1]?.trim() === '') kept.pop();
  const added = Object.entries(settings).map(([name, value]) => `${name} = ${confValue(value)}`);
  return `${[...kept, ...added].join('\n')}\n`;
}
