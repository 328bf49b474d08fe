// Package cli is gostrisk's command line: the command registry modules add
// their commands to, Asterisk-compatible matching, help and completion, the
// control socket the daemon serves, and the console that talks to it.
//
// Commands. A Command's Words follow Asterisk's command-string grammar:
// literal words, "{a|b}" alternations and a final optional "[a|b]" word.
// Registry.Execute matches lines as Asterisk 18's CLI does (exact match
// first, else the command covering the most words, the rest being
// arguments), prints Usage when a handler returns ErrShowUsage, "Command
// '<line>' failed." for any other handler error, and Asterisk's "No such
// command" message with its nearest-prefix hint for unknown lines. The
// listing order of "core show help" reproduces Asterisk's insertion rule, so
// it depends on registration order: register a module's commands in the
// order of the Asterisk module's own table. RegisterBuiltins adds
// "core show help", "core set verbose", "core set debug" and "!".
//
// Control socket. Server serves a unix socket (mode 0660 by default, never
// world-accessible) with a length-prefixed framing of our own: command
// execution (streamed output, then a success/failure marker), completion,
// verbosity changes, and log events pushed to interactive consoles.
// Server.Publish never blocks: each console has a bounded queue that drops
// its oldest events. Each connection has its own Session, so "core set
// verbose" affects only the console that typed it.
//
// Clients and consoles. Dial / DialOptions connect (ErrNoServer when nothing
// listens); Client.Exec serves -rx and never mixes events into output.
// RunConsole is the interactive console for both -r (a *Client) and -c (a
// LocalBackend in the daemon): readline editing and history, Tab
// completion, "!" shell escapes run locally, exit/quit/Ctrl-C/Ctrl-D to
// leave (the daemon keeps running), live events above the prompt, and -R
// reconnection through ConsoleOptions.Redial.
package cli
