// Package mixmonitor is gostrisk's app_mixmonitor (MixMonitor,
// StopMixMonitor) and res_monitor (Monitor, StopMonitor): recordings of a
// channel's two directions.
//
// A recording is a pbx.Tap on the channel (Channel.AddTap): every voice
// frame the channel reads (what its party says) and writes (what it
// hears) passes through TapFrame, which decodes it to signed linear and
// mixes the two directions in whole 20 ms intervals, tolerating a skew
// between them (a jitter buffer on one leg) before it writes one alone.
// A bridge leaves the drivers' native relay while a tap listens, so a
// recorded call is carried as frames. Files are written by a goroutine
// per file through pkg/media/sound's writer, under a temporary name
// renamed on completion, so a crash never leaves a file that looks
// complete; a name without a directory goes to astspooldir/monitor. A
// file that cannot be created is logged as an ERROR and the dialplan goes
// on without the recording. The post command (MixMonitor's third
// argument, ^{VAR} standing for ${VAR}) runs through /bin/sh once the
// file is complete. MixMonitor's options a, b, v, V, W, r, t, i, S (r
// and t kept in step with silence), m (the mixed file left as a voicemail
// through pbx.Engine.DepositRecording), c and d are honoured; B (the
// periodic beep) logs a warning and records without it; p, P and n are
// accepted and do nothing.
//
// The recording is owned by a goroutine that waits for StopMixMonitor,
// the channel's hangup or the module's Close.
package mixmonitor
