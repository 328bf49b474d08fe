package confbridge

import (
	"fmt"
	"strings"
)

// onOff and friends are the words app_confbridge's profile views use.
func word(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// ShowUserProfile is "confbridge show profile user <name>".
func ShowUserProfile(u *UserProfile) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	en := func(v bool) string { return word(v, "enabled", "disabled") }
	tf := func(v bool) string { return word(v, "true", "false") }
	p("--------------------------------------------\n")
	p("Name:                    %s\n", u.Name)
	p("Admin:                   %s\n", tf(u.Admin))
	p("Send Events:             %s\n", tf(u.SendEvents))
	p("Echo Events:             %s\n", tf(u.EchoEvents))
	p("Marked User:             %s\n", tf(u.Marked))
	p("Start Muted:             %s\n", tf(u.StartMuted))
	p("MOH When Empty:          %s\n", en(u.MusicOnHoldWhenEmpty))
	p("MOH Class:               %s\n", word(u.MusicClass == "", "default", u.MusicClass))
	p("Announcement:            %s\n", u.Announcement)
	p("Quiet:                   %s\n", en(u.Quiet))
	p("Hear Join:               %s\n", en(u.HearOwnJoinSound))
	p("Wait Marked:             %s\n", en(u.WaitMarked))
	p("END Marked (All):        %s\n", en(u.EndMarked))
	p("END Marked (Any):        %s\n", en(u.EndMarkedAny))
	p("Drop_silence:            %s\n", en(u.DropSilence))
	p("Silence Threshold:       %dms\n", u.SilenceThreshold.Milliseconds())
	p("Talking Threshold:       %d\n", u.TalkingThreshold)
	p("Denoise:                 %s\n", en(u.Denoise))
	p("Jitterbuffer:            %s\n", en(u.JitterBuffer))
	p("Talk Detect Events:      %s\n", en(u.TalkDetection))
	p("DTMF Pass Through:       %s\n", en(u.DTMFPassthrough))
	p("PIN:                     %s\n", word(u.PIN == "", "None", u.PIN))
	p("Announce User Count:     %s\n", en(u.AnnounceUserCount))
	join := "disabled"
	switch {
	case u.JoinReview:
		join = "enabled (with review)"
	case u.AnnounceJoinLeave:
		join = "enabled"
	}
	p("Announce join/leave:     %s\n", join)
	p("Announce User Count all: %s\n", en(u.AnnounceUserCountAll > 0))
	p("Text Messaging:          %s\n", en(u.TextMessaging))
	p("Answer Channel:          %s\n", tf(u.AnswerChannel))
	p("\n")
	return b.String()
}

// ShowBridgeProfile is "confbridge show profile bridge <name>".
func ShowBridgeProfile(bp *BridgeProfile) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	yn := func(v bool) string { return word(v, "yes", "no") }
	or := func(k, def string) string {
		if v := bp.accepted[k]; v != "" {
			return v
		}
		return def
	}
	p("--------------------------------------------\n")
	p("Name:                 %s\n", bp.Name)
	p("Language:             %s\n", bp.Language)
	rate := "auto"
	if bp.SampleRate != 0 {
		rate = fmt.Sprint(bp.SampleRate)
	}
	p("Internal Sample Rate: %s\n", rate)
	p("Maximum Sample Rate: %s\n", word(bp.maximumRateText == "" || strings.EqualFold(bp.maximumRateText, "none"), "none", bp.maximumRateText))
	p("Mixing Interval:      %d\n", bp.MixingInterval.Milliseconds())
	p("Record Conference:    %s\n", yn(bp.Record))
	p("Record File Append:    %s\n", yn(bp.RecordAppend))
	p("Record File Timestamp: %s\n", yn(bp.RecordTimestamp))
	p("Record File:          %s\n", word(bp.RecordFile == "", "Auto Generated", bp.RecordFile))
	p("Record Options:       %s\n", bp.RecordOptions)
	p("Record Command:       %s\n", bp.RecordCmd)
	if bp.MaxMembers > 0 {
		p("Max Members:          %d\n", bp.MaxMembers)
	} else {
		p("Max Members:          No Limit\n")
	}
	p("Registration context: %s\n", bp.regcontext)
	video := strings.ToLower(bp.videoMode)
	if video == "" || video == "none" {
		video = "no video"
	}
	p("Video Mode:           %s\n", video)
	p("Video Update Discard: %s\n", or("video_update_discard", "2000"))
	p("REMB Send Interval: %s\n", or("remb_send_interval", "0"))
	p("REMB Behavior:           %s\n", or("remb_behavior", "average"))
	p("Enable Events:             %s\n", yn(bp.EnableEvents))
	for _, s := range []struct{ label, opt string }{
		{"sound_only_person:    ", "sound_only_person"}, {"sound_only_one:       ", "sound_only_one"},
		{"sound_has_joined:     ", "sound_has_joined"}, {"sound_has_left:       ", "sound_has_left"},
		{"sound_kicked:         ", "sound_kicked"}, {"sound_muted:          ", "sound_muted"},
		{"sound_unmuted:        ", "sound_unmuted"}, {"sound_binaural_on:    ", "sound_binaural_on"},
		{"sound_binaural_off:   ", "sound_binaural_off"}, {"sound_there_are:      ", "sound_there_are"},
		{"sound_other_in_party: ", "sound_other_in_party"},
		{"sound_place_into_conference: ", "sound_place_into_conference"},
		{"sound_wait_for_leader:       ", "sound_wait_for_leader"},
		{"sound_leader_has_left:       ", "sound_leader_has_left"},
		{"sound_get_pin:        ", "sound_get_pin"}, {"sound_invalid_pin:    ", "sound_invalid_pin"},
		{"sound_locked:         ", "sound_locked"}, {"sound_unlocked_now:   ", "sound_unlocked_now"},
		{"sound_lockednow:      ", "sound_locked_now"}, {"sound_error_menu:     ", "sound_error_menu"},
		{"sound_join:           ", "sound_join"}, {"sound_leave:          ", "sound_leave"},
		{"sound_participants_muted:     ", "sound_participants_muted"},
		{"sound_participants_unmuted:     ", "sound_participants_unmuted"},
		{"sound_begin:          ", "sound_begin"},
	} {
		p("%s%s\n", s.label, bp.Sound(s.opt))
	}
	p("\n")
	return b.String()
}

// ShowMenu is "confbridge show menu <name>".
func ShowMenu(m *Menu) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Name: %s\n", m.Name)
	for _, e := range m.Entries {
		fmt.Fprintf(&b, "%s=", e.DTMF)
		for i, a := range e.Actions {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(a.Name)
			if a.Arg != "" {
				fmt.Fprintf(&b, "(%s)", a.Arg)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
