import type { CommandResult } from '@tandem/core';
import type { ArpingFlavour } from './arping-argv.js';

export type DadResult =
  | { readonly kind: 'free' }
  /** Someone answered for the address; `mac` is who, when arping printed it. */
  | { readonly kind: 'taken'; readonly mac: string | undefined }
  | { readonly kind: 'error'; readonly message: string };

const MAC = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i;

function excerpt(text: string): string {
  return text.trim().split('\n').slice(-2).join(' | ').slice(0, 300) || '(no output)';
}

/**
 * Read a duplicate-address probe's result. The exit codes mean opposite
 * things in the two arpings, and Habets' exits 1 both for "nobody answered"
 * and for errors (no such interface), so "free" needs the statistics line
 * that proves probes went out unanswered. Anything unclear is an error:
 * the caller must not add the address then.
 */
export function parseDad(flavour: ArpingFlavour, result: CommandResult): DadResult {
  if (result.kind !== 'exited') return { kind: 'error', message: `arping ${result.kind}` };
  const { exitCode, stdout, stderr } = result;
  if (flavour === 'habets') {
    if (exitCode === 0) return { kind: 'taken', mac: MAC.exec(stdout)?.[1]?.toLowerCase() };
    const stats = /(\d+) packets transmitted, 0 packets received/.exec(stdout);
    if (exitCode === 1 && stats && Number(stats[1]) > 0) return { kind: 'free' };
    return { kind: 'error', message: `arping exited ${exitCode}: ${excerpt(stderr || stdout)}` };
  }
  // iputils with -D: 0 = no reply (free), 1 = a reply (duplicate), 2 = error.
  if (exitCode === 0) return { kind: 'free' };
  const reply = /reply from [\d.]+ \[([0-9a-f:]+)\]/i.exec(stdout);
  if (exitCode === 1 && reply) return { kind: 'taken', mac: reply[1]?.toLowerCase() };
  return { kind: 'error', message: `arping exited ${exitCode}: ${excerpt(stderr || stdout)}` };
}
