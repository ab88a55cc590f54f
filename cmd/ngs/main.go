// Command ngs runs and checks .ngs experiment scripts.
//
//	ngs run FILE [--out DIR] [--set NAME=VALUE ...]
//	ngs check FILE
//	ngs version
//
// Exit status: 0 on success, 1 on a script or data error (parse, check,
// run, a bad file, a refused size, an interrupted run), 2 on a usage error
// only, 3 on an internal failure of ngs (a bug). Each subcommand lives in its own file and registers
// itself in init with addCommand; builtin packages are linked in by blank
// imports (see link.go).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/ngs-lab/ngs/internal/memory"
	"github.com/ngs-lab/ngs/lang"
)

// Exit codes.
const (
	exitOK       = 0
	exitScript   = 1
	exitUsage    = 2
	exitInternal = 3
)

// scriptExit is the exit status of a failed run: exitInternal when the
// error is a recovered failure of ngs itself, exitScript otherwise.
func scriptExit(err error) int {
	var le *lang.Error
	if errors.As(err, &le) && le.Internal {
		return exitInternal
	}
	var list lang.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			if e.Internal {
				return exitInternal
			}
		}
	}
	return exitScript
}

// command is one subcommand.
type command struct {
	name    string
	usage   string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]*command{}

// addCommand registers a subcommand; call it from an init function.
func addCommand(c *command) { commands[c.name] = c }

func main() {
	memory.SetSoftLimit() // collect before the heap outgrows the machine (issue 16)
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// dispatch dispatches to a subcommand, turning a panic into one line.
func dispatch(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "ngs: internal error: this is a bug in ngs (%v)\n", r)
			code = exitInternal
		}
	}()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ngs: unknown command %q\n", args[0])
		printUsage(stderr)
		return exitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

func printUsage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage:")
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  ngs %-45s %s\n", strings.TrimSpace(c.name+" "+c.usage), c.summary)
	}
}

// usage reports a usage error for cmd and returns exit status 2.
func usage(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "ngs %s: %v\nusage: ngs %s %s\n", cmd, err, cmd, commands[cmd].usage)
	return exitUsage
}

// flagValue returns the value of the flag at args[*i], given as --name=value
// (value, hasValue from strings.Cut) or as --name value, advancing *i past a
// separate value.
func flagValue(args []string, i *int, value string, hasValue bool) (string, error) {
	if hasValue {
		return value, nil
	}
	if *i+1 >= len(args) {
		return "", fmt.Errorf("%s needs a value", args[*i])
	}
	*i++
	return args[*i], nil
}
