package main

import (
	"fmt"
	"io"

	"github.com/ngs-lab/ngs/internal/fsys"
	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
)

func init() {
	addCommand(&command{name: "check", usage: "FILE", summary: "parse and check a script without running it", run: checkMain})
}

func checkMain(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		return usage(stderr, "check", fmt.Errorf("expected one FILE, found %d arguments", len(args)))
	}
	_, _, code := compileFile(args[0], stderr)
	return code
}

// compileFile reads, parses and checks a script, printing errors.
func compileFile(path string, stderr io.Writer) (*runtime.Program, []byte, int) {
	src, err := (*fsys.FS)(nil).ReadFile(path) // regular files only: a FIFO is refused, not waited on
	if err != nil {
		fmt.Fprintf(stderr, "ngs: cannot read script: %v\n", err)
		return nil, nil, exitScript
	}
	prog, err := runtime.Compile(path, src, runtime.CompileOptions{})
	if err != nil {
		fmt.Fprint(stderr, lang.Render(err, src))
		return nil, nil, exitScript
	}
	return prog, src, exitOK
}
