package apps

import "github.com/gostrisk/gostrisk/pkg/pbx"

var noopApp = &pbx.App{
	Name:        "NoOp",
	Synopsis:    "Do Nothing (No Operation).",
	Syntax:      "NoOp([text])",
	Description: "This application does nothing. However, it is useful for debugging purposes.\n\nThis method can be used to see the evaluations of variables or functions without having any effect.",
	Arguments:   "text - Any text provided can be viewed at the Asterisk CLI.",
	SeeAlso:     "Verbose, Log",
	Exec:        func(*pbx.Channel, string) (pbx.Result, error) { return pbx.Continue, nil },
}
