import { DEBIAN_PACKAGES, TandemError, shellQuote, type CommandResult, type CommandRunner } from '@tandem/core';
import { parseRuleCounters, type RuleCounter } from './nft-counters.js';
import { validateTableName } from './nft-rules.js';

/** Where nft runs: the runner, plus a prefix such as ['ip', 'netns', 'exec', 'lab-db1'] to run it inside a namespace. */
export interface NftTarget {
  readonly runner: CommandRunner;
  readonly prefix?: readonly string[];
  /** Per nft call; default 10 s. */
  readonly timeoutMs?: number;
}

const DEFAULT_NFT_TIMEOUT_MS = 10_000;

/** Load ruleset text (from renderDropRules) with `nft -f -`; the whole file is one transaction. */
export async function applyRuleset(target: NftTarget, text: string): Promise<void> {
  const result = await runNft(target, ['-f', '-'], { input: text });
  if (result.exitCode !== 0) throw nftFailed(target, ['-f', '-'], result.stderr, 'the ruleset was not applied; nothing changed');
}

/**
 * Heal a fault: `nft delete table inet <table>`. Returns false when the table
 * was already gone, so healing twice is not an error.
 */
export async function deleteTable(target: NftTarget, table: string): Promise<boolean> {
  const args = ['delete', 'table', 'inet', validateTableName(table)];
  const result = await runNft(target, args);
  if (result.exitCode === 0) return true;
  if (/No such file or directory/i.test(result.stderr)) return false;
  throw nftFailed(target, args, result.stderr, 'the fault may still be in place');
}

/** Per-rule packet counts of a fault's table, to prove that packets were dropped. */
export async function readCounters(target: NftTarget, table: string): Promise<RuleCounter[]> {
  const args = ['-j', 'list', 'table', 'inet', validateTableName(table)];
  const result = await runNft(target, args, { readOnly: true });
  if (result.exitCode !== 0) throw nftFailed(target, args, result.stderr, 'could not read the counters');
  return parseRuleCounters(result.stdout);
}

async function runNft(
  target: NftTarget,
  args: readonly string[],
  extra: { input?: string; readOnly?: boolean } = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const argv = [...(target.prefix ?? []), 'nft', ...args];
  const [file, ...rest] = argv as [string, ...string[]];
  const result: CommandResult = await target.runner.run({
    file,
    args: rest,
    timeoutMs: target.timeoutMs ?? DEFAULT_NFT_TIMEOUT_MS,
    ...extra,
  });
  switch (result.kind) {
    case 'exited':
      return result;
    case 'not-installed':
      throw new TandemError('preconditionFailed', `${result.file} is not installed`, {
        problems: [{ path: 'nft', message: result.message, fix: `apt-get install ${result.debianPackage ?? DEBIAN_PACKAGES.nft}` }],
      });
    case 'timeout':
      throw new TandemError('timeout', `${shellQuote(argv)} did not finish within ${target.timeoutMs ?? DEFAULT_NFT_TIMEOUT_MS} ms`);
    case 'aborted':
      throw new TandemError('failed', `${shellQuote(argv)} was aborted`);
  }
}

function nftFailed(target: NftTarget, args: readonly string[], stderr: string, consequence: string): TandemError {
  const command = shellQuote([...(target.prefix ?? []), 'nft', ...args]);
  return new TandemError('failed', `${command} failed: ${stderr.trim() || 'no error output'}`, {
    problems: [{ path: 'nft', message: consequence, fix: 'run the command by hand as root to see the full error' }],
  });
}
