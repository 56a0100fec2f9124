/**
 * targetcli echoes every attribute it sets, the CHAP password too: `Parameter password is now 'xyz'.`
 * (and `mutual_password`). Those lines are dropped from anything Tandem logs or returns.
 */
const PASSWORD_ECHO = /^.*Parameter \w*password\w* is now .*(?:\n|$)/gim;

export function withoutPasswordEcho(text: string): string {
  return text.replace(PASSWORD_ECHO, '');
}
