import { describe, expect, it } from 'vitest';
import { safeJsonText, safeLine, safeText } from './safe-text.js';

/** Anything a terminal would act on instead of showing; tab and newline are checked separately. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Every code point that must never reach the terminal raw. */
function unsafeCodePoints(): number[] {
  const points: number[] = [];
  for (let c = 0; c <= 0x1f; c++) if (c !== 0x0a && c !== 0x09) points.push(c);
  for (let c = 0x7f; c <= 0x9f; c++) points.push(c);
  points.push(0x061c, 0x200e, 0x200f, 0x2028, 0x2029);
  for (let c = 0x202a; c <= 0x202e; c++) points.push(c);
  for (let c = 0x2066; c <= 0x2069; c++) points.push(c);
  return points;
}

describe('safeText (multi-line output)', () => {
  it('leaves ordinary text alone, including newlines, tabs, backslashes and non-ASCII letters', () => {
    const text = 'db1  primary\tepoch 3\nréplica  ü 名前 \\x1b (a literal backslash)\n';
    expect(safeText(text)).toBe(text);
  });

  it('shows ESC sequences, OSC 52, CR, BEL and backspace as visible escapes', () => {
    expect(safeText('\x1b[2J\x1b[31mred')).toBe('\\x1b[2J\\x1b[31mred');
    expect(safeText('\x1b]52;c;cm0gLXJmIH4=\x07')).toBe('\\x1b]52;c;cm0gLXJmIH4=\\x07');
    expect(safeText('healthy\rFENCED ')).toBe('healthy\\rFENCED ');
    expect(safeText('ok\b\b\bno')).toBe('ok\\x08\\x08\\x08no');
    expect(safeText('\x00\x7f')).toBe('\\x00\\x7f');
  });

  it('escapes C1 controls, the 8-bit CSI and OSC included', () => {
    expect(safeText('\u009b2J\u009d52;c;x\u009c')).toBe('\\x9b2J\\x9d52;c;x\\x9c');
    expect(safeText('\u0080\u0085\u009f')).toBe('\\x80\\x85\\x9f');
  });

  it('escapes bidi overrides, embeddings, isolates and marks, and the line and paragraph separators', () => {
    expect(safeText('invoice\u202Efdp.exe')).toBe('invoice\\u202efdp.exe');
    expect(safeText('\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069')).toBe('\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069');
    expect(safeText('\u200e\u200f\u061c')).toBe('\\u200e\\u200f\\u061c');
    expect(safeText('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
  });

  it('leaves no unsafe code point raw', () => {
    const all = String.fromCodePoint(...unsafeCodePoints());
    const out = safeText(all);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out.match(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|r)/g)).toHaveLength(unsafeCodePoints().length);
  });

  it('is idempotent: escaping twice changes nothing more', () => {
    const once = safeText('\x1b[0m\r\u202e\u009b');
    expect(safeText(once)).toBe(once);
  });
});

describe('safeLine (one line, one table cell)', () => {
  it('also escapes newlines and tabs, so a field cannot forge a line or break a column', () => {
    expect(safeLine('msg\n2099-01-01T00:00:00.000Z  db2 ha.promote ok')).toBe('msg\\n2099-01-01T00:00:00.000Z  db2 ha.promote ok');
    expect(safeLine('a\tb\r\n')).toBe('a\\tb\\r\\n');
    expect(safeLine('\x1b]52;c;eA==\x07\u202e')).toBe('\\x1b]52;c;eA==\\x07\\u202e');
  });

  it('takes any value: numbers, booleans and null as String() writes them', () => {
    expect(safeLine(42)).toBe('42');
    expect(safeLine(null)).toBe('null');
    expect(safeLine(false)).toBe('false');
  });

  it('leaves no raw control, tab or newline', () => {
    const out = safeLine(`\t\n${String.fromCodePoint(...unsafeCodePoints())}`);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).not.toMatch(/[\t\n]/);
  });
});

describe('safeJsonText (--json output)', () => {
  const hostile = { node: 'db1\u202e\u2066', message: 'a\u2028b\u2029c\u009b2J\x7f', esc: '\x1b]52;c;eA==\x07\r\n' };

  it('escapes what JSON.stringify leaves raw, and JSON.parse gives back exactly the same value', () => {
    const raw = JSON.stringify(hostile);
    // The premise: JSON.stringify does not escape C1, DEL, bidi controls or U+2028/U+2029.
    expect(raw).toMatch(RAW_CONTROL);
    const safe = safeJsonText(raw);
    expect(safe).not.toMatch(RAW_CONTROL);
    expect(safe).toContain('\\u202e');
    expect(safe).toContain('\\u009b');
    expect(safe).toContain('\\u2028');
    expect(JSON.parse(safe)).toEqual(hostile);
  });

  it('changes nothing in JSON without such characters', () => {
    const json = JSON.stringify({ a: 'plain', b: [1, true, null], c: 'ü \\ "quoted"' }, undefined, 2);
    expect(safeJsonText(json)).toBe(json);
  });
});
