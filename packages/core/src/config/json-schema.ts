import { z } from 'zod';
import { clusterConfig } from './schema.js';

/** JSON Schema of the config file, for editors (yaml-language-server) and `tandem config schema`. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(clusterConfig, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://tandem.invalid/schema/config.json', title: 'Tandem cluster config' };
}
