/** A shell whose prompt is easy to see; a marker file in the session folder makes it fail. */
export const SHELL = `test -e fail-marker && exit 3; PS1='ready$ ' exec bash --norc --noprofile -i`;
