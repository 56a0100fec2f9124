import { RULE_COMMENT_PREFIX, ruleComment } from './nft-rules.js';

/** What one rule's counter says: how many packets (and bytes) it matched and so dropped. */
export interface RuleCounter {
  /** The index into DropRuleset.rules, read back from the rule's comment; undefined for rules Tandem did not write. */
  readonly index: number | undefined;
  readonly chain: string;
  readonly handle: number;
  readonly packets: number;
  readonly bytes: number;
}

const COMMENT_PATTERN = new RegExp(`^${RULE_COMMENT_PREFIX}(\\d+)$`);

/**
 * Read per-rule counters from `nft -j list table inet <name>` output. Rules
 * without a counter expression are left out. Throws when the text is not
 * the JSON nft prints, so a changed format fails loudly instead of reading as zero.
 */
export function parseRuleCounters(json: string): RuleCounter[] {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (error) {
    throw new Error(`nft -j output is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const items = (document as { nftables?: unknown } | undefined)?.nftables;
  if (!Array.isArray(items)) throw new Error('nft -j output has no "nftables" array');
  const counters: RuleCounter[] = [];
  for (const item of items) {
    const rule = (item as { rule?: NftRule } | undefined)?.rule;
    if (rule === undefined) continue;
    const counter = rule.expr?.find((e): e is { counter: { packets: number; bytes: number } } => isCounter(e))?.counter;
    if (counter === undefined) continue;
    const match = typeof rule.comment === 'string' ? (COMMENT_PATTERN.exec(rule.comment) ?? undefined) : undefined;
    counters.push({
      index: match?.[1] === undefined ? undefined : Number(match[1]),
      chain: String(rule.chain),
      handle: Number(rule.handle),
      packets: counter.packets,
      bytes: counter.bytes,
    });
  }
  return counters;
}

/** Packets dropped by DropRuleset.rules[index]; throws when that rule is not in the listing. */
export function droppedPackets(counters: readonly RuleCounter[], index: number): number {
  const found = counters.find((c) => c.index === index);
  if (found === undefined) throw new Error(`rule ${index} (comment "${ruleComment(index)}") is not in the nft listing`);
  return found.packets;
}

interface NftRule {
  readonly chain?: unknown;
  readonly handle?: unknown;
  readonly comment?: unknown;
  readonly expr?: readonly unknown[];
}

function isCounter(expression: unknown): expression is { counter: { packets: number; bytes: number } } {
  const counter = (expression as { counter?: { packets?: unknown; bytes?: unknown } } | undefined)?.counter;
  return typeof counter?.packets === 'number' && typeof counter.bytes === 'number';
}
