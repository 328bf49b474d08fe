// Package confparse reads Asterisk configuration files as Asterisk 18's
// config loader (main/config.c) reads them, so an admin's unchanged files
// mean the same thing to gostrisk.
//
// The result keeps every category (duplicates included) and every variable
// in file order with its file and line, so typed configs built on it can say
// exactly where a bad value came from. Load never fails silently: problems
// come back as Diagnostics with a file and line, worded as Asterisk words
// them where it has a message. An Error diagnostic means Asterisk would have
// refused the load; everything else is a Warning.
//
// The grammar, rule by rule:
//
//   - Lines are read as Asterisk's 8192-byte fgets reads them: a line of
//     8191 bytes or more (newline excluded) is skipped whole with "Line N too
//     long, skipping. It begins with: ...". Reading stops at a NUL byte. A
//     UTF-8 byte order mark at the start of a file is dropped.
//   - ';' starts a comment anywhere, "\;" is a literal ';'. ";--" opens a
//     block comment and "--;" closes it; blocks nest (up to 128) and may
//     span lines. ";---" (a third dash) is an ordinary comment, not a block.
//     Text after a closing "--;" on the same line is read, joined to any
//     text before the opening ";--". A "--;" outside any block makes the
//     following lines a comment until the next ";--", as in Asterisk (a
//     warning says so).
//   - Each line is trimmed of bytes below 33 at both ends (so CRLF files
//     work); inner spaces and quotes are kept.
//   - "[name]" starts a category; the name is not trimmed and is cut to 79
//     bytes. "(...)" right after ']' holds options split on ',' without
//     trimming: "!" makes a template (skipped by Browse and Category), a
//     name inherits the variables (inherited ones included, in order) of the
//     first category of that name, templates included, and "+" adds to the
//     first non-template category of the header's name instead of creating
//     one ("+name=regex&..." filters, as Asterisk's category filters do).
//     Category names match ASCII case-insensitively.
//   - "name = value" and "name => value" (Object set) add a variable;
//     "name += text" appends text, leading blanks included, to the last
//     variable spelt exactly name, or adds a new one. A leading '\' escapes
//     the first character of a name ("\[x] = 1"). A line without '=' is
//     warned about and ignored; a variable before any category is an error.
//   - "#include" and "#tryinclude" take a file or a glob (braces allowed,
//     hidden files not matched by wildcards), optionally in "" or <>,
//     relative to Options.Dir; matches are read in sorted order. A missing
//     #include is an error, a missing #tryinclude is not. An included file
//     starts in the category last created or added to, and after it the
//     including file carries on in its own category. Nesting stops at 10
//     levels below the loaded file ("Maximum Include level (10) exceeded").
//   - "#exec command" runs command with /bin/sh and reads its standard
//     output, only with Options.ExecIncludes (execincludes=yes); otherwise
//     it is ignored with Asterisk's warning. Other directives are warned
//     about and ignored.
//   - A parse error stops reading that file. In the loaded file itself that
//     is an Error; in an included file Asterisk keeps the lines read so far
//     and carries on with the includer, so it is a Warning.
//
// Where Asterisk's behaviour is a plain bug with no compatibility at stake,
// this package does better and says so: line numbers stay exact after a
// long line or across the files of a glob, a BOM is dropped in every file
// of a glob, the ';--' nesting limit is reported once instead of hanging,
// and a load that reads more than DefaultMaxFileLoads files (globbed
// includes multiply) is abandoned with an Error.
package confparse
