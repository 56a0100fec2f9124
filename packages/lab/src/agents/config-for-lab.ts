import { parseDocument } from 'yaml';

/** Per node, per plugin instance: options the lab must set (paths that only exist in the lab). */
export type LabOverrides = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;

/**
 * The config with `nodes.<node>.overrides.<instance>.options` merged in, as
 * YAML text. The lab changes only where things live on disk; everything an
 * operator wrote (timing, probes, fencing, addresses) stays as written.
 */
export function configForLab(text: string, overrides: LabOverrides): string {
  const doc = parseDocument(text);
  for (const [node, instances] of Object.entries(overrides)) {
    for (const [instance, options] of Object.entries(instances)) {
      for (const [key, value] of Object.entries(options)) {
        doc.setIn(['nodes', node, 'overrides', instance, 'options', key], value);
      }
    }
  }
  return doc.toString();
}
