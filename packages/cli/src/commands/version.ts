import { BaseCommand } from '../base-command.js';

export interface VersionResult {
  readonly tandem: string;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
}

export default class Version extends BaseCommand<typeof Version> {
  static override summary = 'Print the Tandem version, the Node.js version and the platform.';
  static override description = 'Include this in bug reports. Plugin versions are listed by `tandem ha-plugins`.';

  static override examples = [
    { description: 'Human-readable', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'For a script', command: '<%= config.bin %> <%= command.id %> --json' },
  ];

  async run(): Promise<VersionResult> {
    const result: VersionResult = { tandem: this.config.version, node: process.version, platform: process.platform, arch: process.arch };
    this.log(`tandem ${result.tandem} (node ${result.node}, ${result.platform}-${result.arch})`);
    return result;
  }
}
