import { Args } from '@oclif/core';
import { TandemError } from '@tandem/core';

/** The optional FILE argument shared by the `config` commands. */
export const configFileArg = Args.string({
  description: 'Cluster config file (default: $TANDEM_CONFIG, else ./tandem.yaml)',
  required: false,
});

/** Config path precedence: the FILE argument, then $TANDEM_CONFIG, then ./tandem.yaml. */
export function resolveConfigPath(arg: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (arg !== undefined && arg !== '') return arg;
  const fromEnv = env['TANDEM_CONFIG'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'tandem.yaml';
}

/** Plugin validation errors do not know the file; name it, so a message read alone still says which config. */
export function inFile<T>(file: string, work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof TandemError && !error.message.startsWith(file)) {
      throw new TandemError(error.kind, `${file}: ${error.message}`, { problems: error.problems, cause: error });
    }
    throw error;
  });
}
