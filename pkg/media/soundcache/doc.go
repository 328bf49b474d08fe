// Package soundcache shares the frames of a prompt among the channels that
// play it.
//
// Two thousand channels playing the same file each read it, decode it and
// encode it again in their format, 50 times a second: the same work
// repeated, and with a system call every few frames. A Cache keeps a file's
// frames encoded in a channel's format once, keyed by the file (path,
// size, modification time, inode), the file format read and the target
// format, so later players only copy a slice header per frame. Frames are
// built in chunks of a second as the first player reaches them, so a long
// file costs its first listener no start-up delay, and the cache is
// bounded in bytes, least recently opened entries going first.
//
// A Reader is the player's view: it has the same positions, seeks and
// lengths as the sound.Reader it wraps (which it keeps open for exactly
// that), and serves from the cache only while its position sits on a
// frame boundary of the file; anything else (a seek to the middle of a
// frame, a file too big for the cache, a read error while building)
// falls back to the wrapped reader, whose frames are in the file's codec
// for the caller to translate as it did without a cache.
//
// Cached payloads are shared: whoever receives a frame must not modify its
// payload (rtp.Session and the SIP stream only read it).
//
// It imports pkg/media and pkg/media/sound.
package soundcache
