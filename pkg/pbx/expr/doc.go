// Package expr implements the dialplan's text machinery as Asterisk 18
// behaves: ${...} variable and function substitution (Substitute), the
// $[...] expression language of ast_expr2 (Evaluate, EvaluateEnv), and the
// argument splitting applications use on their data (SplitArgs).
//
// Fidelity notes, all taken from Asterisk's behaviour rather than guessed:
//
//   - Substitution copies text byte for byte; a '$' not followed by '{' or
//     '[' is literal, and there is no backslash escape at this stage.
//     ${NAME:offset:length} follows Asterisk's substring rules, a missing
//     '}' takes the rest of the string (with a warning), values are cut to
//     4095 bytes and nesting deeper than 15 levels expands to nothing.
//   - Expressions compute in x87 long double precision and print with
//     "%.18Lg", so $[1/3] is 0.333333333333333333 and $[10/0] is
//     2147483647 with a warning. Quoted strings keep their quotes except
//     for ':', '=~' and '~~'. Comparisons are numeric only when both sides
//     are numbers. A syntax error yields "0". Regular expressions are
//     POSIX extended, leftmost-longest.
//
// Nothing here panics on any input; nesting is bounded.
package expr
