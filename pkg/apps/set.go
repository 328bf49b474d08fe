package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var setApp = &pbx.App{
	Name:     "Set",
	Synopsis: "Set channel variable or function value.",
	Syntax:   "Set(name=value)",
	Description: "This function can be used to set the value of channel variables or dialplan functions. " +
		"When setting variables, if the variable name is prefixed with _, the variable will be inherited into " +
		"channels created from the current channel. If the variable name is prefixed with __, the variable will " +
		"be inherited into channels created from the current channel and all children channels.",
	Arguments: "name\nvalue",
	SeeAlso:   "MSet, GLOBAL(), SET(), ENV()",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		// Asterisk 18's Set takes one assignment: commas belong to the
		// value (MSet takes several).
		log := ch.Engine().Log()
		if data == "" {
			log.Warning("Set requires one variable name/value pair.\n")
			return pbx.Continue, nil
		}
		name, value, ok := strings.Cut(data, "=")
		if !ok {
			log.Warning("Set requires an '=' to be a valid assignment.\n")
			return pbx.Continue, nil
		}
		if strings.Contains(name, " ") {
			log.Warning("Please avoid unnecessary spaces on variables as it may lead to unexpected results ('%s' set to '%s').\n", name, value)
		}
		if err := ch.Engine().Assign(ch, name, value); err != nil {
			ch.Engine().LogFunctionError(err) // at the level the function gave it
		}
		return pbx.Continue, nil
	},
}

var msetApp = &pbx.App{
	Name:        "MSet",
	Synopsis:    "Set channel variable(s) or function value(s).",
	Syntax:      "MSet(name1=value1[,name2=value2[,...]])",
	Description: "This function can be used to set the value of channel variables or dialplan functions. MSet behaves in a similar fashion to the way Set worked in 1.2/1.4 and is thus prone to doing things that you may not expect. Avoid its use if possible.",
	Arguments:   "set1\nset2",
	SeeAlso:     "Set",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		log := ch.Engine().Log()
		if data == "" {
			log.Warning("MSet requires at least one variable name/value pair.\n")
			return pbx.Continue, nil
		}
		for _, pair := range pbx.SplitArgs(data, ',') {
			name, value, ok := strings.Cut(pair, "=")
			if !ok {
				dpc, exten, prio := ch.Location()
				// Asterisk's message lacks its closing parenthesis.
				log.Warning("MSet: ignoring entry '%s' with no '=' (in %s@%s:%d\n", pair, exten, dpc, prio)
				continue
			}
			if strings.Contains(name, " ") {
				log.Warning("Please avoid unnecessary spaces on variables as it may lead to unexpected results ('%s' set to '%s').\n", name, value)
			}
			if err := ch.Engine().Assign(ch, name, value); err != nil {
				ch.Engine().LogFunctionError(err)
			}
		}
		return pbx.Continue, nil
	},
}
