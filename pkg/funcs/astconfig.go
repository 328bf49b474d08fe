package funcs

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_config.c's AST_CONFIG: one variable of any Asterisk
// configuration file, parsed by pkg/confparse (so #include and templates
// work as in the daemon's own files). The file is read at each call: a
// changed file is seen at once, as Asterisk's reload-if-changed does.

func astConfigFunc(deps Deps) pbx.Function {
	return pbx.Function{
		Name: "AST_CONFIG", Synopsis: "Retrieve a variable from a configuration file.",
		Syntax:      "AST_CONFIG(config_file,category,variable_name[,index])",
		Description: "This function reads a variable from an Asterisk configuration file. index: if there are multiple variables with the same name, you can specify 0 for the first item (default), -1 for the last item, or any other number for that specific item. -1 is useful when the variable is derived from a template and you want the effective value (the last occurrence), not the value from the template (the first occurrence).",
		Read: func(_ *pbx.Channel, s string) (string, error) {
			if s == "" {
				return "", errorf("AST_CONFIG() requires an argument")
			}
			a := args(s)
			switch {
			case arg(a, 0) == "":
				return "", errorf("AST_CONFIG() requires a filename")
			case arg(a, 1) == "":
				return "", errorf("AST_CONFIG() requires a category")
			case arg(a, 2) == "":
				return "", errorf("AST_CONFIG() requires a variable")
			}
			index := 0
			if v := arg(a, 3); v != "" {
				n, err := strconv.Atoi(leadingInt(v))
				if err != nil {
					return "", errorf("AST_CONFIG() index must be an integer")
				}
				index = n
			}
			cfg, diags := confparse.Load(a[0], confparse.Options{Dir: deps.ConfigDir})
			if diags.HasErrors() || cfg == nil {
				return "", nil // ast_config_load failed: nothing, no message
			}
			cat := cfg.Category(a[1])
			if cat == nil {
				return "", nil
			}
			var found *confparse.Variable
			ix := 0
			for _, v := range cat.Vars {
				if !strings.EqualFold(v.Name, a[2]) {
					continue
				}
				found = v
				if index == -1 {
					continue
				}
				if ix == index {
					break
				}
				found = nil
				ix++
			}
			if found == nil {
				return "", nil
			}
			return found.Value, nil
		},
	}
}
