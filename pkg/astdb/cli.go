package astdb

import (
	"errors"
	"fmt"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// RegisterCLI adds Asterisk 18's "database ..." commands, with its wording.
func RegisterCLI(reg *cli.Registry, db *DB) error {
	return reg.Register(
		&cli.Command{
			Words:   []string{"database", "show"},
			Summary: "Shows database contents",
			Usage: "Usage: database show [family [keytree]]\n" +
				"   OR: database show [family[/keytree]]\n" +
				"       Shows Asterisk database contents, optionally restricted\n" +
				"       to a given family, or family and keytree. The two arguments\n" +
				"       may be separated either by a space or by a slash.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) > 4 {
					return cli.ErrShowUsage
				}
				family, keytree := argAt(a.Argv, 2), argAt(a.Argv, 3)
				printEntries(a, db.Entries(family, keytree))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"database", "showkey"},
			Summary: "Shows database contents",
			Usage: "Usage: database showkey <keytree>\n" +
				"       Shows Asterisk database contents, restricted to a given key.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				printEntries(a, db.EntriesByKey(a.Argv[2]))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"database", "get"},
			Summary: "Gets database value",
			Usage: "Usage: database get <family> <key>\n" +
				"       Retrieves an entry in the Asterisk database for a given\n" +
				"       family and key.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				if v, ok := db.Get(a.Argv[2], a.Argv[3]); ok {
					a.Printf("Value: %s\n", v)
				} else {
					a.Printf("Database entry not found.\n")
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"database", "put"},
			Summary: "Adds/updates database value",
			Usage: "Usage: database put <family> <key> <value>\n" +
				"       Adds or updates an entry in the Asterisk database for\n" +
				"       a given family, key, and value.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 5 {
					return cli.ErrShowUsage
				}
				if err := db.Put(a.Argv[2], a.Argv[3], a.Argv[4]); err != nil {
					a.Printf("Failed to update entry\n")
					return nil
				}
				a.Printf("Updated database successfully\n")
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"database", "del"},
			Summary: "Removes database key/value",
			Usage: "Usage: database del <family> <key>\n" +
				"       Deletes an entry in the Asterisk database for a given\n" +
				"       family and key.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				if err := db.Del(a.Argv[2], a.Argv[3]); err != nil {
					if errors.Is(err, ErrNotFound) {
						db.logger().Warn(fmt.Sprintf("AstDB key %s does not exist", fullKey(a.Argv[2], a.Argv[3])))
					}
					a.Printf("Database entry could not be removed.\n")
					return nil
				}
				a.Printf("Database entry removed.\n")
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"database", "deltree"},
			Summary: "Removes database keytree/values",
			Usage: "Usage: database deltree <family> [keytree]\n" +
				"   OR: database deltree <family>[/keytree]\n" +
				"       Deletes a family or specific keytree within a family\n" +
				"       in the Asterisk database.  The two arguments may be\n" +
				"       separated by either a space or a slash.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) < 3 || len(a.Argv) > 4 {
					return cli.ErrShowUsage
				}
				n, err := db.DelTree(a.Argv[2], argAt(a.Argv, 3))
				switch {
				case err != nil:
					a.Printf("Database unavailable.\n")
				case n == 0:
					a.Printf("Database entries do not exist.\n")
				default:
					a.Printf("%d database entries removed.\n", n)
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"database", "query"},
			Summary: "Run a user-specified query on the astdb",
			Usage: "Usage: database query \"<SQL Statement>\"\n" +
				"       Run a user-specified SQL query on the database. Be careful.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				rows, err := db.Query(a.Argv[2])
				for _, r := range rows {
					for i, c := range r.Columns {
						a.Printf("%-5s: %-50s\n", c, r.Values[i])
					}
					a.Printf("\n")
				}
				if err != nil {
					db.logger().Warn(fmt.Sprintf("Error executing SQL (%s): %v", a.Argv[2], err))
				}
				return nil
			},
		},
	)
}

func argAt(argv []string, i int) string {
	if i < len(argv) {
		return argv[i]
	}
	return ""
}

func printEntries(a *cli.Args, es []Entry) {
	for _, e := range es {
		a.Printf("%-50s: %-25s\n", e.Key, e.Value)
	}
	a.Printf("%d results found.\n", len(es))
}
