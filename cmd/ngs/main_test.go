package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ngs": func() { os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestCommands runs the command-line sessions in testdata/script.
func TestCommands(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
