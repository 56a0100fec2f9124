import { configJsonSchema } from '@tandem/core';
import { BaseCommand } from '../../base-command.js';

export default class ConfigSchema extends BaseCommand<typeof ConfigSchema> {
  static override summary = 'Print the JSON Schema of the cluster config file.';
  static override description = `For editors: save it and point yaml-language-server at it to get completion and checks while writing tandem.yaml. Plugin options are free-form here; \`tandem config validate\` checks them with each plugin's schema.`;

  static override examples = [
    { description: 'Save the schema for an editor', command: '<%= config.bin %> <%= command.id %> > tandem.schema.json' },
  ];

  async run(): Promise<Record<string, unknown>> {
    const schema = configJsonSchema();
    // The schema is the output in both modes; --json prints it once, through oclif.
    if (!this.jsonEnabled()) this.log(JSON.stringify(schema, undefined, 2));
    return schema;
  }
}
