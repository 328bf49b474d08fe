package dialplan

// Hints returns every hint of the dialplan ("exten => 201,hint,SIP/201",
// users.conf's generated ones too), contexts in the order they were
// built and extensions in the context's order: the order in which
// Asterisk's pbx_config adds them to its hint table, which "core show
// hints" walks bucket by bucket.
func (d *Dialplan) Hints() []Priority {
	var out []Priority
	for i := len(d.contexts) - 1; i >= 0; i-- {
		for _, e := range d.contexts[i].exts {
			if len(e.prios) > 0 && e.prios[0].Number == PriorityHint {
				out = append(out, *e.prios[0])
			}
		}
	}
	return out
}

// AutohintContexts lists the contexts with autohints=yes, in build order:
// Asterisk makes a hint in each for every device whose state changes and
// that has none there yet.
func (d *Dialplan) AutohintContexts() []string {
	var out []string
	for i := len(d.contexts) - 1; i >= 0; i-- {
		if d.contexts[i].autohints {
			out = append(out, d.contexts[i].name)
		}
	}
	return out
}
