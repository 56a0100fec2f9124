/**
 * Poll `check` until it gives a value, or fail after `timeoutMs` naming what
 * was awaited and the last error `check` threw (a guest still booting, a
 * command not answering yet): lab tests and benchmarks wait on things that
 * come up in their own time, and a bare timeout says nothing at 3 a.m.
 */
export async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
