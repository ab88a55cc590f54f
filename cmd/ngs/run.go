package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
)

func init() {
	addCommand(&command{name: "run", usage: "FILE [--out DIR] [--set NAME=VALUE ...] [--cpuprofile FILE]", summary: "run a script", run: runScript})
}

// runArgs are the parsed arguments of ngs run.
type runArgs struct {
	file       string
	out        string
	sets       []string
	cpuprofile string // pprof CPU profile of the run, for performance work
}

func parseRunArgs(args []string) (*runArgs, error) {
	r := &runArgs{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		switch name {
		case "--out", "-out", "--set", "-set", "--cpuprofile", "-cpuprofile":
			value, err := flagValue(args, &i, value, hasValue)
			if err != nil {
				return nil, err
			}
			switch strings.TrimLeft(name, "-") {
			case "out":
				r.out = value
			case "set":
				r.sets = append(r.sets, value)
			default:
				r.cpuprofile = value
			}
		default:
			if strings.HasPrefix(a, "-") {
				return nil, fmt.Errorf("unknown flag %s", a)
			}
			if r.file != "" {
				return nil, fmt.Errorf("expected one FILE, found %q and %q", r.file, a)
			}
			r.file = a
		}
	}
	if r.file == "" {
		return nil, fmt.Errorf("missing FILE")
	}
	if r.out == "" {
		r.out = filepath.Join("out", strings.TrimSuffix(filepath.Base(r.file), filepath.Ext(r.file)))
	}
	return r, nil
}

func runScript(args []string, stdout, stderr io.Writer) int {
	ra, err := parseRunArgs(args)
	if err != nil {
		return usage(stderr, "run", err)
	}
	prog, src, code := compileFile(ra.file, stderr)
	if code != exitOK {
		return code
	}
	overrides, err := parseOverrides(prog, ra.sets)
	if err != nil {
		return usage(stderr, "run", err)
	}
	if ra.cpuprofile != "" {
		f, err := os.Create(ra.cpuprofile)
		if err != nil {
			return usage(stderr, "run", fmt.Errorf("--cpuprofile: %v", err))
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return usage(stderr, "run", fmt.Errorf("--cpuprofile: %v", err))
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := interruptContext(stderr)
	defer stop()
	_, err = prog.Run(ctx, runtime.RunOptions{Stdout: stdout, OutDir: ra.out, Overrides: overrides})
	if err != nil {
		fmt.Fprint(stderr, lang.Render(err, src))
		return scriptExit(err)
	}
	return exitOK
}

// parseOverrides evaluates each --set NAME=VALUE (VALUE is an ngs
// expression) and checks that NAME is a top-level assignment.
func parseOverrides(prog *runtime.Program, sets []string) (map[string]runtime.Value, error) {
	out := map[string]runtime.Value{}
	for _, s := range sets {
		name, expr, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--set %q: expected NAME=VALUE", s)
		}
		if !prog.TopLevelAssignment(name) {
			return nil, fmt.Errorf("--set %s: the script has no top-level assignment to %s", name, name)
		}
		v, err := evalValue(name, expr)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// evalValue evaluates VALUE of --set NAME=VALUE with the builtins only.
func evalValue(name, src string) (runtime.Value, error) {
	label := "--set " + name
	e, err := lang.ParseExpr(label, []byte(src))
	if err == nil {
		err = lang.Check(&lang.File{Name: label, Stmts: []lang.Stmt{&lang.ExprStmt{X: e}}}, runtime.Default.CheckConfig(nil))
	}
	if err != nil {
		return nil, fmt.Errorf("--set %s=%s: %s", name, src, strings.TrimSpace(lang.Render(err, []byte(src))))
	}
	in := runtime.NewInterp(context.Background(), runtime.RunOptions{})
	v, err := in.Eval(e, in.Globals())
	if err != nil {
		return nil, fmt.Errorf("--set %s=%s: %v", name, src, err)
	}
	return v, nil
}

// interruptContext is cancelled by the first Ctrl-C, which lets the run stop
// at its next step and close its files; a second Ctrl-C quits at once
// (exit status 130).
func interruptContext(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt)
	go func() {
		if _, ok := <-sig; !ok {
			return
		}
		fmt.Fprintln(stderr, "\nngs: interrupted: stopping at the next step (press Ctrl-C again to quit at once)")
		cancel()
		if _, ok := <-sig; ok {
			fmt.Fprintln(stderr, "ngs: interrupted twice: quitting")
			os.Exit(130)
		}
	}()
	return ctx, func() { signal.Stop(sig); close(sig); cancel() }
}
