// Package moh is gostrisk's res_musiconhold: musiconhold.conf classes
// (mode=files and mode=playlist), the music that plays to channels on
// hold, while Dial rings with its m option or in MusicOnHold, the
// MusicOnHold, StartMusicOnHold and StopMusicOnHold applications and the
// `moh` CLI commands.
//
// A class plays from one position whatever the number of channels that
// hear it: one player goroutine per class with listeners reads its files
// in 20 ms frames (pkg/media/sound), translates each frame once per format
// the listeners speak and hands it to every listener's generator, which
// writes it to its channel (the channel's media stream paces it). A player
// stops when its last listener leaves and the next one resumes where it
// stopped.
//
// The daemon loads the configuration with Load into its Snapshot, creates
// the Module with New, registers its applications and CLI, and gives
// Module.Music to the applications (Dial's m option) and Module.HoldMusic
// to the bridge (a peer's hold).
package moh
