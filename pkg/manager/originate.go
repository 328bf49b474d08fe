package manager

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Originate's reasons (OriginateResponse Reason:), Asterisk's control
// frame numbers for the outcome.
const (
	reasonFailed   = int(pbx.OriginateFailed)
	reasonAnswered = int(pbx.OriginateAnswered)
)

// originate is one Originate request.
type originate struct {
	tech, data      string
	dial            string // "SIP/6000" as given
	context, exten  string
	priority        int
	app, appData    string
	timeout         time.Duration
	cidNum, cidName string
	account         string
	vars            [][2]string
	actionID        string
	channelID       string // ChannelId: named in a failure's Uniqueid only
}

// dangerousApps need the system class too: Originate may not be a way
// around it (manager.c's check).
var dangerousApps = []string{"system", "exec", "trysystem", "eval"}

func actOriginate(r *Request) error {
	m := r.s.m
	o := &originate{dial: r.Get("Channel"), context: r.Get("Context"), exten: r.Get("Exten"),
		app: r.Get("Application"), appData: r.Get("Data"), account: r.Get("Account"),
		timeout: 30 * time.Second, priority: 1, actionID: r.ActionID(), channelID: r.Get("ChannelId")}
	if o.dial == "" {
		r.Error("Channel not specified")
		return nil
	}
	tech, data, ok := strings.Cut(o.dial, "/")
	if !ok || tech == "" || data == "" {
		r.Error("Invalid channel")
		return nil
	}
	o.tech, o.data = tech, data
	if p := r.Get("Priority"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			found := false
			if plan := m.opts.Engine.Plan(); plan != nil {
				n, found = plan.FindLabel(o.context, o.exten, "", p)
			}
			if !found {
				r.Error("Invalid priority")
				return nil
			}
		}
		o.priority = n
	}
	if t := r.Get("Timeout"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			r.Error("Invalid timeout")
			return nil
		}
		o.timeout = time.Duration(n) * time.Millisecond
	}
	if cid := r.Get("CallerID"); cid != "" {
		o.cidName, o.cidNum = splitCallerID(cid)
	}
	for _, v := range r.All("Variable") {
		for _, kv := range strings.Split(v, ",") {
			if name, val, ok := strings.Cut(kv, "="); ok && strings.TrimSpace(name) != "" {
				o.vars = append(o.vars, [2]string{strings.TrimSpace(name), val})
			}
		}
	}
	if o.app != "" {
		r.s.mu.Lock()
		write := r.s.writePerm
		r.s.mu.Unlock()
		for _, d := range dangerousApps {
			if strings.Contains(strings.ToLower(o.app+o.appData), d) && write&PermSystem == 0 {
				r.Error("Originate with certain 'Application' arguments requires the additional System privilege, which you do not have.")
				return nil
			}
		}
	}
	if confparse.True(r.Get("Async")) {
		r.Success("Originate successfully queued")
		m.opts.Engine.Spawn(func() { m.runOriginate(o, true) })
		return nil
	}
	if reason := m.runOriginate(o, false); reason != reasonAnswered {
		r.Error("Originate failed")
		return nil
	}
	r.Success("Originate successfully queued")
	return nil
}

// splitCallerID reads "Name" <num> (ast_callerid_parse).
func splitCallerID(s string) (name, num string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			num = s[i+1 : i+j]
			name = strings.Trim(strings.TrimSpace(s[:i]), `"`)
			return name, num
		}
	}
	if strings.Trim(s, "0123456789+*#-() ") == "" {
		return "", s
	}
	return s, ""
}

// runOriginate places the call, starts the dialplan or the application on
// it once answered, and (when async) reports OriginateResponse. It returns
// the reason.
func (m *Module) runOriginate(o *originate, async bool) int {
	eng := m.opts.Engine
	ctx := m.ctx()
	reason := reasonFailed
	var out *pbx.Channel
	defer func() {
		if async {
			m.originateResponse(o, out, reason)
		}
	}()
	ch, err := eng.Request(ctx, o.tech, o.data, nil)
	if err != nil {
		m.opts.Log.Notice("Unable to request channel %s/%s\n", o.tech, o.data)
		return reason
	}
	out = ch
	if o.cidNum != "" || o.cidName != "" {
		id := pbx.CallerID{Num: o.cidNum, Name: o.cidName, ANI: o.cidNum}
		out.SetCallerID(id)
		out.SetConnected(id)
	}
	if o.account != "" {
		out.SetAccountCode(o.account)
	}
	for _, kv := range o.vars {
		if i := strings.IndexByte(kv[0], '('); i > 0 && strings.HasSuffix(kv[0], ")") {
			eng.WriteFunction(out, kv[0][:i], kv[0][i+1:len(kv[0])-1], kv[1])
			continue
		}
		out.SetVar(kv[0], kv[1])
	}
	if o.app == "" {
		out.SetLocation(o.context, o.exten, o.priority)
		out.UpdateCDR(func(c *pbx.CDR) { c.Dst, c.DContext = o.exten, o.context })
	}
	if err := out.Driver().Call(ctx, o.data, o.timeout); err != nil {
		m.opts.Log.Notice("Unable to call channel %s/%s\n", o.tech, o.data)
		out.Hangup(pbx.CauseRequestedChanUnavail)
		return reason
	}
	reason = int(pbx.WaitOriginated(ctx, out, o.timeout))
	if reason != reasonAnswered {
		out.Hangup(pbx.CauseNormalClearing)
		return reason
	}
	if o.app == "" {
		eng.Go(ctx, out)
		return reason
	}
	eng.Spawn(func() {
		out.SetCtx(ctx)
		stop := context.AfterFunc(ctx, func() { out.SoftHangup(pbx.CauseNormalClearing) })
		defer stop()
		if _, err := eng.ExecApp(out, o.app, o.appData); err != nil {
			m.opts.Log.Warning("%s: %v\n", o.app, err)
		}
		out.Hangup(pbx.CauseNormalClearing)
	})
	return reason
}

// originateResponse sends OriginateResponse to the sessions reading the
// call class.
func (m *Module) originateResponse(o *originate, out *pbx.Channel, reason int) {
	b := &msgBuf{}
	if o.actionID != "" {
		b.line("ActionID", o.actionID)
	}
	resp := "Failure"
	if reason == reasonAnswered {
		resp = "Success"
	}
	b.line("Response", resp)
	name, uid := o.dial, "<unknown>"
	if o.channelID != "" {
		uid = o.channelID
	}
	if out != nil {
		name, uid = out.Name(), out.UniqueID()
	}
	b.line("Channel", name)
	if o.app != "" {
		b.line("Application", o.app)
		b.line("Data", o.appData)
	} else {
		b.line("Context", o.context)
		b.line("Exten", o.exten)
	}
	b.lineInt("Reason", reason)
	b.line("Uniqueid", uid)
	b.line("CallerIDNum", unknownIfEmpty(o.cidNum))
	b.line("CallerIDName", unknownIfEmpty(o.cidName))
	m.dispatch(PermCall, "OriginateResponse", b.Bytes())
}
