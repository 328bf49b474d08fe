// Package confparse reads Asterisk configuration files with the grammar of
// Asterisk 18's config loader: ';' comments and nested ';-- --;' blocks,
// "\;" escapes, #include / #tryinclude with globs, #exec when allowed,
// "[name](!)" templates, "[name](base,...)" inheritance, "[name](+)"
// additions, "=" and "=>" lines, "+=" appends, and the 8192-byte line limit.
//
// The result keeps every category (duplicates included) and every variable
// in file order with its file and line, so typed configs built on it can say
// exactly where a bad value came from. Load never fails silently: problems
// come back as Diagnostics, and an Error diagnostic means Asterisk would
// have refused the file.
package confparse
