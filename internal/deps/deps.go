//go:build tools

// Package deps pins the modules that ngs's packages use, so that go.mod lists
// them before every package that imports them exists. It is never built.
package deps

import (
	_ "github.com/alecthomas/participle/v2"
	_ "github.com/chzyer/readline"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "go4.org/unsafe/assume-no-moving-gc"
	_ "gonum.org/v1/gonum/mat"
	_ "gonum.org/v1/gonum/optimize"
	_ "gonum.org/v1/plot"
	_ "gopkg.in/yaml.v3"
	_ "gorgonia.org/gorgonia"
	_ "gorgonia.org/tensor"
)
