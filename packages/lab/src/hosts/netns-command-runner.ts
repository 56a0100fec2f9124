import { ExecaCommandRunner, type CommandResult, type CommandRunner, type CommandSpec } from '@tandem/core';

/**
 * A CommandRunner whose every command runs inside one lab host's network
 * namespace (`ip netns exec <ns> file args`), so a plugin under test behaves
 * as if its agent ran on that host. `ip netns exec` execs the program in
 * place, so a timeout or an abort signals the program itself.
 */
export class NetnsCommandRunner implements CommandRunner {
  private readonly inner = new ExecaCommandRunner();

  constructor(private readonly namespace: string) {}

  run(spec: CommandSpec): Promise<CommandResult> {
    return this.inner.run({ ...spec, file: 'ip', args: ['netns', 'exec', this.namespace, spec.file, ...spec.args] });
  }

  which(file: string): Promise<string | undefined> {
    return this.inner.which(file);
  }
}
