import type { Lab } from '../lab.js';

let tableCounter = 0;

/** A fresh table name per fault, so healing one fault never touches another's rules. */
export function nextFaultTable(prefix = 'tandem_f'): string {
  tableCounter++;
  return `${prefix}${process.pid}_${tableCounter}`;
}

/** Load a ruleset into a host's namespace (`nft -f -`). */
export async function loadRuleset(lab: Lab, host: string, ruleset: string): Promise<void> {
  await lab.exec(host, ['nft', '-f', '-'], { input: ruleset });
}

export async function deleteTable(lab: Lab, host: string, table: string): Promise<void> {
  await lab.exec(host, ['nft', 'delete', 'table', 'inet', table]);
}
