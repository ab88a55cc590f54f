// Package repl_test runs recorded REPL sessions end to end: each
// testdata/*.txtar script feeds a session's input through a pipe to an
// in-process repl.Session (as `ngs repl < FILE` does) and compares what it
// printed.
package repl_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ngs-lab/ngs/repl"
	_ "github.com/ngs-lab/ngs/stdlib"
)

func TestSessions(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:  "testdata",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"repl": replCmd},
	})
}

// replCmd runs `repl FILE [OUTDIR]`: a non-terminal session reading FILE
// ($WORK in it stands for the script's work directory, in the input and in
// the output alike),
// with relative output paths under OUTDIR. Results and errors go to
// stdout, in order; with ! the session must have printed an error.
func replCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: repl FILE [OUTDIR]")
	}
	work := ts.Getenv("WORK")
	input := strings.ReplaceAll(ts.ReadFile(args[0]), "$WORK", work)
	var out bytes.Buffer
	opts := repl.Options{In: strings.NewReader(input), Out: &out}
	if len(args) == 2 {
		opts.OutDir = ts.MkAbs(args[1])
	}
	err := repl.New(opts).Run(context.Background())
	ts.Stdout().Write([]byte(strings.ReplaceAll(out.String(), work, "$WORK")))
	ts.Check(err)
	printedError := strings.Contains(out.String(), "^\n") || strings.Contains(out.String(), "unknown command")
	if printedError != neg {
		if neg {
			ts.Fatalf("the session printed no error")
		}
		ts.Fatalf("the session printed an error")
	}
}
