package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chzyer/readline"

	"github.com/ngs-lab/ngs/repl"
)

func init() {
	addCommand(&command{name: "repl", usage: "[--history FILE | --no-history] [--out DIR] [FILE]",
		summary: "start the interactive shell (FILE is loaded first)", run: runRepl})
}

// replArgs are the parsed arguments of ngs repl.
type replArgs struct {
	history string
	out     string
	file    string
}

func parseReplArgs(args []string) (*replArgs, error) {
	r := &replArgs{history: repl.DefaultHistoryFile()}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		switch name {
		case "--no-history", "-no-history":
			r.history = ""
		case "--history", "-history", "--out", "-out":
			value, err := flagValue(args, &i, value, hasValue)
			if err != nil {
				return nil, err
			}
			if strings.HasSuffix(name, "out") {
				r.out = value
			} else {
				r.history = value
			}
		default:
			if strings.HasPrefix(a, "-") {
				return nil, fmt.Errorf("unknown flag %s", a)
			}
			if r.file != "" {
				return nil, fmt.Errorf("expected at most one FILE, found %q and %q", r.file, a)
			}
			r.file = a
		}
	}
	return r, nil
}

// runRepl starts the shell on standard input: with line editing when both
// standard input and output are terminals, plain lines otherwise.
func runRepl(args []string, stdout, stderr io.Writer) int {
	ra, err := parseReplArgs(args)
	if err != nil {
		return usage(stderr, "repl", err)
	}
	terminal := stdout == io.Writer(os.Stdout) &&
		readline.IsTerminal(int(os.Stdin.Fd())) && readline.IsTerminal(int(os.Stdout.Fd()))
	s := repl.New(repl.Options{In: os.Stdin, Out: stdout, Err: stderr, Terminal: terminal,
		HistoryFile: ra.history, CatchInterrupt: true, OutDir: ra.out})
	if terminal {
		fmt.Fprintln(stdout, "ngs: type :help for help, Ctrl-D to leave")
	}
	if ra.file != "" {
		s.Load(ra.file)
	}
	if err := s.Run(context.Background()); err != nil {
		fmt.Fprintf(stderr, "ngs repl: %v\n", err)
		return exitScript
	}
	return exitOK
}
