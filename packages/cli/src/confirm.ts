import { createInterface } from 'node:readline/promises';
import { TandemError } from '@tandem/core';
import { safeLine } from './safe-text.js';

/** Ask a yes/no question on the terminal; without a terminal, refuse unless --yes was given. The question may name what the store holds: one line, escaped. */
export async function confirmOrRefuse(question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) {
    throw new TandemError('declined', 'refusing without confirmation: stdin is not a terminal', { problems: [{ path: '--yes', message: 'not given', fix: 'add --yes to confirm from a script' }] });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${safeLine(question)} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new TandemError('declined', 'not confirmed; nothing was changed');
  } finally {
    rl.close();
  }
}
