package main

import (
	"fmt"
	"io"
)

// version is the ngs release; set with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func init() {
	addCommand(&command{name: "version", summary: "print the version", run: func(args []string, stdout, stderr io.Writer) int {
		if len(args) > 0 {
			return usage(stderr, "version", fmt.Errorf("unexpected argument %q", args[0]))
		}
		fmt.Fprintf(stdout, "ngs %s\n", version)
		return exitOK
	}})
}
