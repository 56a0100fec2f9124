/**
 * Text the CLI prints for people, made safe for a terminal.
 *
 * Much of what `tandem status`, `tandem events` and the other commands print
 * comes from the coordination store (member records, event messages, the lease
 * holder, operator requests) or from plugins (a fencer's proof, a script's
 * output, a package's description). Whoever can write there could otherwise
 * drive the operator's terminal: ESC sequences that recolour, move the cursor
 * or clear the screen, OSC 52 clipboard writes, a carriage return or
 * backspaces that overwrite what was printed, BEL, C1 controls (U+0080-U+009F,
 * 8-bit CSI and OSC), and Unicode bidi overrides and isolates that make text
 * read in another order than it is.
 *
 * Such characters are not dropped silently but replaced by a visible escape
 * (`\x1b`, `\r`, `\u202e`), so the operator sees that something was there.
 * The escape is a marker, not a reversible encoding: a backslash in the text
 * is printed as is. `--json` output keeps every string exact (see safeJsonText).
 */

/** C0 controls but tab and newline, DEL, C1, the Arabic letter mark, LRM/RLM, line/paragraph separators, bidi embeddings/overrides and isolates. */
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same plus tab and newline: in a table cell or a one-line field they would break the layout or forge a line. */
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw (it escapes C0 and lone surrogates): DEL, C1, and the format characters above. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex(c: string, digits: number): string {
  return c.charCodeAt(0).toString(16).padStart(digits, '0');
}

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return SHORT[c] ?? (code <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);
}

/** Multi-line text (a script, a command's output, an error message): keeps newlines and tabs, escapes every other control. */
export function safeText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, visible);
}

/** One line or one table cell: like safeText, and newlines and tabs are escaped too. */
export function safeLine(value: unknown): string {
  return String(value).replace(UNSAFE_IN_LINE, visible);
}

/**
 * Serialized JSON with the characters JSON.stringify leaves raw written as
 * `\uXXXX`. They can only occur inside string literals, where that escape is
 * valid JSON: JSON.parse gives back exactly the same value.
 */
export function safeJsonText(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}
