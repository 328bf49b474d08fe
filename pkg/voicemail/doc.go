// Package voicemail is app_voicemail: voicemail.conf (Load), the spool in
// Asterisk's exact layout (Spool: <context>/<box>/<folder>/msgNNNN.txt
// and the audio beside it, folder locks compatible with ast_lock_path,
// numbers chosen under the lock, files written to a temporary name and
// renamed), the applications VoiceMail, VoiceMailMain, VMAuthenticate,
// VMSayName and VoiceMailPlayMsg, the functions VM_INFO and VMCOUNT, the
// new-message e-mail and pager mail piped to mailcmd (BuildMail,
// SendMail), the mailbox counts for MWI (Module implements
// pbx.MailboxProvider and publishes BusMessageWaiting on every change,
// pollmailboxes included) and the "voicemail ..." CLI.
//
// The module reaches channels through pkg/pbx and plays and records
// through pkg/apps' exported helpers, so prompts and recordings behave
// as Playback and Record do.
package voicemail
