import type { z } from 'zod';
import type { Problem } from '../errors.js';

type Issue = z.core.$ZodIssue;

/** Dotted path as an operator writes it: `nodes.db2.nics.storage`, `probes.checks[1].plugin`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Turn zod issues into problems with a path, a sentence and a fix. */
export function issuesToProblems(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): Problem[] {
  return issues.flatMap((issue) => issueToProblems(issue, prefix));
}

function issueToProblems(issue: Issue, prefix: readonly PropertyKey[]): Problem[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    const branch = closestBranch(issue.errors);
    if (branch) return issuesToProblems(branch, path);
    if (issue.errors.every((b) => b.some((i) => i.path.length === 0 && i.code === 'invalid_type' && i.input === undefined))) {
      return [{ path: formatPath(path), message: 'is required', fix: 'add it' }];
    }
    return [{ path: formatPath(path), message: issue.message === 'Invalid input' ? 'does not match any allowed form' : issue.message }];
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: formatPath([...path, key]),
      message: `unknown key "${key}"`,
      fix: 'remove it or check its spelling',
    }));
  }
  const fix = (issue as { params?: { fix?: string } }).params?.fix ?? fixFor(issue);
  return [{ path: formatPath(path), message: messageFor(issue), ...(fix ? { fix } : {}) }];
}

/**
 * A union failed in every branch; report the branch the input was meant for:
 * the one whose failures are not a mismatch of the value's type itself.
 */
function closestBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  const meant = branches.filter((issues) => !issues.some((i) => i.path.length === 0 && i.code === 'invalid_type'));
  return meant.length === 1 ? meant[0] : undefined;
}

function messageFor(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `is required (${article(issue.expected)})` : `must be ${article(issue.expected)}, not ${describe(issue.input)}`;
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${String(issue.minimum)} item(s)` : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

function fixFor(issue: Issue): string | undefined {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'add it';
  if (issue.code === 'invalid_value') return `use one of ${issue.values.map((v) => String(v)).join(', ')}`;
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}
