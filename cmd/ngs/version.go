package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/ngs-lab/ngs/internal/cpu"
)

// version is the ngs release; set with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func init() {
	addCommand(&command{name: "version", summary: "print the version", run: func(args []string, stdout, stderr io.Writer) int {
		if len(args) > 0 {
			return usage(stderr, "version", fmt.Errorf("unexpected argument %q", args[0]))
		}
		fmt.Fprintf(stdout, "ngs %s\n", version)
		// The kernel tier (internal/cpu): the best this CPU runs unless
		// NGS_CPU lowers it.
		fmt.Fprintf(stdout, "kernels: %s (best here: %s; %s %s/%s)\n", cpu.Selected(), cpu.Best(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		if err := cpu.EnvError(); err != nil {
			fmt.Fprintf(stderr, "ngs: %v\n", err)
		}
		return exitOK
	}})
}
