// Package followme is app_followme: followme.conf's profiles (the
// [general] defaults, each profile's numbers in steps, context, music
// class, the callee's take/decline keys and the prompt sequence) and the
// FollowMe application, which rings each step's numbers through Local
// channels while the caller hears music, asks whoever answers whether to
// take the call, and bridges the first one who accepts.
package followme
