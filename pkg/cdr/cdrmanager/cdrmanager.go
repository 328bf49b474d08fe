package cdrmanager

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// EventType is the manager event's name.
const EventType pbx.BusEventType = "Cdr"

// Config is cdr_manager.conf.
type Config struct {
	// Enabled is [general] enabled (default no, as Asterisk); the core
	// clears it when cdr.conf turns the CDR engine off.
	Enabled bool
}

// Load reads cdr_manager.conf (nil: disabled). [mappings] names CDR
// variables to add as headers; gostrisk's records carry no custom
// variables, so each mapping is warned about and left out.
func Load(c *confparse.Config) (*Config, confparse.Diagnostics) {
	cfg := &Config{}
	var diags confparse.Diagnostics
	if c == nil {
		return cfg, nil
	}
	for _, cat := range c.Browse() {
		switch strings.ToLower(cat.Name) {
		case "general":
			for _, v := range cat.Vars {
				switch strings.ToLower(v.Name) {
				case "enabled":
					cfg.Enabled = confparse.True(v.Value)
				default:
					diags.Warnf(v.File, v.Line, "Unknown option '%s' in [general] of cdr_manager.conf", v.Name)
				}
			}
		case "mappings":
			for _, v := range cat.Vars {
				diags.Warnf(v.File, v.Line, "cdr_manager.conf mapping '%s' is ignored: gostrisk's CDRs have no custom variables", v.Name)
			}
		default:
			diags.Warnf(cat.File, cat.Line, "Unknown section [%s] in cdr_manager.conf", cat.Name)
		}
	}
	return cfg, diags
}

// timeLayout is cdr_manager's "%Y-%m-%d %T" in local time.
const timeLayout = "2006-01-02 15:04:05"

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(timeLayout)
}

// Event is the Cdr event of one record, its lines in cdr_manager's order.
func Event(r *cdr.Record) pbx.BusEvent {
	disp := string(r.Disposition)
	if disp == "" {
		disp = string(cdr.NoAnswer)
	}
	ama := r.AMAFlags
	if ama == "" {
		ama = "DOCUMENTATION"
	}
	return pbx.BusEvent{Type: EventType, Time: r.End, Fields: []pbx.EventField{
		{Key: "AccountCode", Value: r.AccountCode},
		{Key: "Source", Value: r.Src},
		{Key: "Destination", Value: r.Dst},
		{Key: "DestinationContext", Value: r.DContext},
		{Key: "CallerID", Value: r.CLID},
		{Key: "Channel", Value: r.Channel},
		{Key: "DestinationChannel", Value: r.DstChannel},
		{Key: "LastApplication", Value: r.LastApp},
		{Key: "LastData", Value: r.LastData},
		{Key: "StartTime", Value: stamp(r.Start)},
		{Key: "AnswerTime", Value: stamp(r.Answer)},
		{Key: "EndTime", Value: stamp(r.End)},
		{Key: "Duration", Value: strconv.FormatInt(r.Duration(), 10)},
		{Key: "BillableSeconds", Value: strconv.FormatInt(r.BillSec(), 10)},
		{Key: "Disposition", Value: disp},
		{Key: "AMAFlags", Value: ama},
		{Key: "UniqueID", Value: r.UniqueID},
		{Key: "UserField", Value: r.UserField},
	}}
}

// Post publishes r's event when cfg enables the backend and someone
// (the manager) reads it. kept is the CDR engine's decision to keep the
// record (cdr.Kept), which every backend shares.
func Post(eng *pbx.Engine, cfg *Config, r *cdr.Record, kept bool) {
	if !kept || cfg == nil || !cfg.Enabled || eng == nil || !eng.Bus().Wants(EventType) {
		return
	}
	eng.Bus().Publish(Event(r))
}
