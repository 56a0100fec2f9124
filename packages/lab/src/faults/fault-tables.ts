import { ExecaCommandRunner } from '@tandem/core';
import type { Lab } from '../lab.js';
import { applyRuleset, deleteTable, type NftTarget } from './nft-apply.js';

let tableCounter = 0;
const runner = new ExecaCommandRunner();

/** A fresh table name per fault, so healing one fault never touches another's rules. */
export function nextFaultTable(prefix = 'tandem_f'): string {
  tableCounter++;
  return `${prefix}${process.pid}_${tableCounter}`;
}

/** nft inside one lab host's namespace. */
export function nftIn(lab: Lab, host: string): NftTarget {
  return { runner, prefix: ['ip', 'netns', 'exec', lab.host(host).namespace] };
}

/** Load a fault's table into a host; the returned function deletes it (twice is fine). */
export async function loadFaultTable(lab: Lab, host: string, table: string, ruleset: string): Promise<() => Promise<void>> {
  await applyRuleset(nftIn(lab, host), ruleset);
  return async () => void (await deleteTable(nftIn(lab, host), table));
}
