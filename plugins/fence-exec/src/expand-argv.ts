import type { NicRole, NodeInfo } from '@tandem/core';

export interface ArgvValues {
  readonly node: NodeInfo;
  readonly epoch: number;
  readonly addressNic: NicRole;
}

/** Fill the placeholders of one argument array; a value the node lacks is reported, never replaced by an empty string. */
export function expandArgv(argv: readonly string[], values: ArgvValues): { args: string[] } | { missing: string } {
  const table: Record<string, string | undefined> = {
    node: values.node.name,
    epoch: String(values.epoch),
    management: values.node.management,
    address: values.node.nics[values.addressNic]?.address,
  };
  let missing: string | undefined;
  const args = argv.map((arg) =>
    arg.replace(/\{(\w+)\}/g, (whole, key: string) => {
      const v = table[key];
      if (v === undefined) missing ??= key === 'management' ? `node ${values.node.name} has no management address (nodes.${values.node.name}.management)` : key === 'address' ? `node ${values.node.name} has no ${values.addressNic} NIC` : `unknown placeholder ${whole}`;
      return v ?? whole;
    }),
  );
  return missing === undefined ? { args } : { missing };
}
