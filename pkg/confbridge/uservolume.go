package confbridge

// Volume changes the user's talk or listen volume as the menu actions
// of the same names do (increase_listening_volume, reset_talking_volume,
// ...); MeetMeAdmin's volume commands use it.
func (u *User) Volume(action string) { u.volume(action) }
