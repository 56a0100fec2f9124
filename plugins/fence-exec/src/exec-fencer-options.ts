import { z } from 'zod';

const PLACEHOLDERS = ['node', 'epoch', 'management', 'address'] as const;

/** A command as an argument array; `{node}`, `{epoch}`, `{management}` and `{address}` are filled in per call. */
const argv = z
  .array(z.string())
  .min(1, 'needs at least the program')
  .superRefine((args, ctx) => {
    for (const [i, arg] of args.entries()) {
      for (const m of arg.matchAll(/\{(\w+)\}/g)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(m[1] ?? '')) {
          ctx.addIssue({ code: 'custom', path: [i], message: `unknown placeholder {${m[1]}}`, params: { fix: `use one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}` } });
        }
      }
    }
    if (args[0]?.trim() === '') ctx.addIssue({ code: 'custom', path: [0], message: 'the program must not be empty' });
  });

export const execFencerOptions = z.strictObject({
  /** Cuts the node off. Exit 0 = the action was carried out (it is then verified with `status`). */
  fence: argv,
  /** Reports without changing anything. Exit 0 = fenced, exit 1 = not fenced, anything else = unknown. */
  status: argv,
  /** Lets the node back in (rejoin). Exit 0 = done. */
  unfence: argv.optional(),
  /** Which NIC's address `{address}` stands for. */
  addressNic: z.enum(['public', 'storage', 'privateA', 'privateB']).default('public'),
  /** Extra environment for the commands (credentials files, not secrets inline). */
  env: z.record(z.string(), z.string()).default({}),
  defaultTimeoutMs: z.number().int().positive().default(10_000),
});

export type ExecFencerOptions = z.output<typeof execFencerOptions>;
export type Argv = readonly string[];
