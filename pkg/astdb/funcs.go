package astdb

import (
	"errors"
	"fmt"
	"strings"
)

// FuncResult is what a dialplan function read yields: the text it expands
// to, and whether (and to what) the channel variable DB_RESULT must be set.
type FuncResult struct {
	Value     string
	SetResult bool
	Result    string
}

// splitFamilyKey splits "family/key" at the first '/', the key keeping any
// further slashes, as Asterisk's argument parser does for DB(). usage is
// func_db.c's text for a missing argument (DB_EXISTS's names DB(), as
// Asterisk's does).
func splitFamilyKey(usage, arg string) (family, key string, err error) {
	family, key, ok := strings.Cut(arg, "/")
	if arg == "" || !ok {
		return "", "", errors.New(usage)
	}
	return family, key, nil
}

const (
	usageDB       = "DB requires an argument, DB(<family>/<key>)"
	usageDBWrite  = "DB requires an argument, DB(<family>/<key>)=<value>"
	usageDBExists = "DB_EXISTS requires an argument, DB(<family>/<key>)"
	usageDBDelete = "DB_DELETE requires an argument, DB_DELETE(<family>/<key>)"
)

// FuncDB reads DB(family/key): the value, or "" when absent; DB_RESULT is
// set to the value only when the key exists.
func (db *DB) FuncDB(arg string) (FuncResult, error) {
	family, key, err := splitFamilyKey(usageDB, arg)
	if err != nil {
		return FuncResult{}, err
	}
	v, ok := db.Get(family, key)
	if !ok {
		return FuncResult{}, nil
	}
	return FuncResult{Value: v, SetResult: true, Result: v}, nil
}

// FuncDBWrite performs Set(DB(family/key)=value). A key that looks
// malformed (empty, leading or trailing '/', or "//", typically an empty
// variable in the dialplan) is still written, with a warning, as Asterisk does.
func (db *DB) FuncDBWrite(arg, value string) error {
	family, key, err := splitFamilyKey(usageDBWrite, arg)
	if err != nil {
		return err
	}
	if key == "" || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.Contains(key, "//") {
		db.logger().Warn(fmt.Sprintf("DB: key '%s' seems malformed", key))
	}
	if err := db.Put(family, key, value); err != nil {
		return fmt.Errorf("DB: Error writing value to database: %w", err)
	}
	return nil
}

// FuncDBExists reads DB_EXISTS(family/key): "1" or "0"; when the key exists
// DB_RESULT is set to its value.
func (db *DB) FuncDBExists(arg string) (FuncResult, error) {
	family, key, err := splitFamilyKey(usageDBExists, arg)
	if err != nil {
		return FuncResult{}, err
	}
	v, ok := db.Get(family, key)
	if !ok {
		return FuncResult{Value: "0"}, nil
	}
	return FuncResult{Value: "1", SetResult: true, Result: v}, nil
}

// FuncDBDelete reads DB_DELETE(family/key): the value it held ("" when
// absent), deleting the key. DB_RESULT is always set to that value.
func (db *DB) FuncDBDelete(arg string) (FuncResult, error) {
	family, key, err := splitFamilyKey(usageDBDelete, arg)
	if err != nil {
		return FuncResult{}, err
	}
	v, ok := db.Get(family, key)
	if ok {
		// A concurrent delete between Get and Del is harmless: the key is gone.
		_ = db.Del(family, key)
	}
	return FuncResult{Value: v, SetResult: true, Result: v}, nil
}

// FuncDBKeys reads DB_KEYS(prefix): the distinct next key components under
// prefix, comma separated (commas inside a component escaped with '\').
func (db *DB) FuncDBKeys(arg string) string {
	prefix := strings.Trim(arg, "/")
	var out []string
	last := ""
	for _, e := range db.Entries(prefix, "") {
		rest := e.Key[min(len(e.Key), len(prefix)+1):]
		rest = strings.TrimPrefix(rest, "/")
		comp, _, _ := strings.Cut(rest, "/")
		if strings.EqualFold(comp, last) && len(out) > 0 {
			continue
		}
		last = comp
		out = append(out, strings.ReplaceAll(comp, ",", `\,`))
	}
	return strings.Join(out, ",")
}
