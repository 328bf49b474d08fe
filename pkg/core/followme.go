package core

import (
	"github.com/gostrisk/gostrisk/pkg/followme"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// newFollowMe creates app_followme when modules.conf loads it; FollowMe is
// registered with the other applications (registerDialplan).
func (d *Daemon) newFollowMe(snap *Snapshot, log pbx.Logger) {
	if snap.FollowMe == nil {
		return
	}
	spool := ""
	if d.conf != nil {
		spool = d.conf.Directories.SpoolDir
	}
	d.followme = followme.New(followme.Options{Log: log, Music: d.parkedMusic, SpoolDir: spool}, snap.FollowMe)
}

// registerFollowMe adds FollowMe to eng when the module is loaded.
func (d *Daemon) registerFollowMe(eng *pbx.Engine) error {
	if d.followme == nil {
		return nil
	}
	return d.followme.Register(eng)
}

// startFollowMe adds app_followme's reload.
func (d *Daemon) startFollowMe() {
	m := d.followme
	if m == nil {
		return
	}
	d.modules = append(d.modules, module{
		info:   moduleInfo("app_followme.so"),
		reload: func(s *Snapshot) error { m.SetConfig(s.FollowMe); return nil },
	})
}
