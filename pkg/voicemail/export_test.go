package voicemail

// NameMatch exposes the Directory's name matching to the tests.
var NameMatch = nameMatch
