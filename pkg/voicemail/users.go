package voicemail

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// AddUsersConf adds the mailboxes users.conf asks for, as app_voicemail
// does at load: every user with hasvoicemail=yes (its own or [general]'s)
// gets a mailbox named after its section in userscontext ("default"),
// with vmsecret (else secret) as password, and fullname, email, pager and
// the other mailbox options it sets. A box voicemail.conf defines too is
// completed by users.conf, as find_or_create returns the existing one.
func (c *Config) AddUsersConf(users *confparse.Config) confparse.Diagnostics {
	if users == nil {
		return nil
	}
	var diags confparse.Diagnostics
	ctx := c.General.UsersContext
	if ctx == "" {
		ctx = "default"
	}
	general := users.Category("general")
	option := func(cat *confparse.Category, name string) string {
		if v, ok := cat.Get(name); ok {
			return v
		}
		if general != nil {
			v, _ := general.Get(name)
			return v
		}
		return ""
	}
	for _, cat := range users.Browse() {
		if strings.EqualFold(cat.Name, "general") || !confparse.True(option(cat, "hasvoicemail")) {
			continue
		}
		u := c.byID[cat.Name+"@"+ctx]
		if u == nil {
			u = &User{Context: ctx, Mailbox: cat.Name, MailboxOptions: c.General.Defaults, File: cat.File, Line: cat.Line, FromUsersConf: true}
			c.byID[u.ID()] = u
			c.Users = append(c.Users, u)
		}
		for _, v := range cat.Vars {
			switch strings.ToLower(v.Name) {
			case "vmsecret":
				u.Password = v.Value
			case "secret", "password":
				if u.Password == "" {
					if strings.HasPrefix(v.Value, "*") {
						diags.Warnf(v.File, v.Line, "Invalid password detected for mailbox %s.  The password\n\tmust be reset in voicemail.conf.", u.Mailbox)
					} else {
						u.Password = v.Value
					}
				}
			case "pager":
				u.Pager = v.Value
			case "email":
				u.Email = v.Value
			case "fullname":
				u.FullName = v.Value
			default:
				// users.conf holds SIP and dialplan settings too: a key
				// that is not a mailbox option is theirs, not a mistake.
				applyOption(&u.MailboxOptions, strings.ToLower(v.Name), v.Value, func(string, ...any) {})
			}
		}
	}
	return diags
}
