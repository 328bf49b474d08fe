// Package message is the dialplan side of Asterisk's text messaging
// (main/message.c): the MESSAGE() and MESSAGE_DATA() functions that read
// and build a message on a channel, and the MessageSend application that
// hands it to the message technology its destination names ("sip:6001"
// goes to chan_sip's). The message itself, the technologies and the queue
// that routes received messages into the dialplan are pbx's (pbx.Message,
// Engine.RegisterMessageTech, Engine.QueueMessage).
package message
