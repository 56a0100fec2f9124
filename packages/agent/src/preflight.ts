import { TandemError, type CommandRunner, type Composition, type Problem } from '@tandem/core';

/** Every program the composed plugins need is on PATH; otherwise stop with the config path and the package to install. */
export async function checkRequiredCommands(composition: Composition, runner: CommandRunner): Promise<void> {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const r of composition.requiredCommands) {
    if (seen.has(`${r.configPath}|${r.file}`)) continue;
    seen.add(`${r.configPath}|${r.file}`);
    if ((await runner.which(r.file)) === undefined) {
      problems.push({
        path: r.configPath,
        message: `${r.file} is not installed or not on PATH (needed to ${r.why})`,
        fix: r.debianPackage ? `apt-get install ${r.debianPackage}` : `install ${r.file}`,
      });
    }
  }
  if (problems.length > 0) throw new TandemError('preconditionFailed', `this host lacks ${problems.length} program(s) the config needs`, { problems });
}
