package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ngs-lab/ngs/sweep"
)

func init() {
	addCommand(&command{name: "sweep",
		usage:   "SCRIPT --grid NAME=V1,V2,... [--grid ...] [--seeds K] --out DIR [--executor local|slurm] [-j P] [--slurm-args \"...\"] [--detach] | --status DIR",
		summary: "run a grid of runs locally or as a Slurm job array", run: sweepMain})
	addCommand(&command{name: "collect", usage: "DIR", summary: "gather a sweep's metrics into DIR/results.csv, plots and results.md", run: collectMain})
}

// sweepArgs are the parsed arguments of ngs sweep.
type sweepArgs struct {
	script    string
	grid      []sweep.Param
	seeds     int
	out       string
	executor  string
	jobs      int
	slurmArgs []string
	detach    bool
	status    string
	poll      time.Duration
}

func parseSweepArgs(args []string) (*sweepArgs, error) {
	a := &sweepArgs{executor: "local", poll: 10 * time.Second}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value, hasValue := strings.Cut(arg, "=")
		if !strings.HasPrefix(arg, "-") {
			if a.script != "" {
				return nil, fmt.Errorf("expected one SCRIPT, found %q and %q", a.script, arg)
			}
			a.script = arg
			continue
		}
		if name == "--detach" || name == "-detach" {
			if hasValue {
				return nil, fmt.Errorf("--detach takes no value")
			}
			a.detach = true
			continue
		}
		switch strings.TrimLeft(name, "-") {
		case "grid", "seeds", "out", "executor", "j", "jobs", "slurm-args", "status", "poll":
		default:
			return nil, fmt.Errorf("unknown flag %s", arg)
		}
		v, err := flagValue(args, &i, value, hasValue)
		if err != nil {
			return nil, err
		}
		switch strings.TrimLeft(name, "-") {
		case "grid":
			p, err := sweep.ParseGrid(v)
			if err != nil {
				return nil, err
			}
			a.grid = append(a.grid, p)
		case "seeds":
			if a.seeds, err = strconv.Atoi(v); err != nil || a.seeds < 1 {
				return nil, fmt.Errorf("--seeds %s: expected a count ≥ 1", v)
			}
		case "out":
			a.out = v
		case "executor":
			if v != "local" && v != "slurm" {
				return nil, fmt.Errorf("--executor %s: expected local or slurm", v)
			}
			a.executor = v
		case "j", "jobs":
			if a.jobs, err = strconv.Atoi(v); err != nil || a.jobs < 1 {
				return nil, fmt.Errorf("%s %s: expected a count ≥ 1", name, v)
			}
		case "slurm-args":
			if a.slurmArgs, err = splitShellWords(v); err != nil {
				return nil, fmt.Errorf("--slurm-args: %v", err)
			}
		case "status":
			a.status = v
		case "poll":
			if a.poll, err = time.ParseDuration(v); err != nil || a.poll <= 0 {
				return nil, fmt.Errorf("--poll %s: expected a duration such as 10s", v)
			}
		}
	}
	if a.status != "" {
		if a.script != "" || len(a.grid) > 0 || a.out != "" {
			return nil, fmt.Errorf("--status DIR takes no SCRIPT, --grid or --out")
		}
		return a, nil
	}
	switch {
	case a.script == "":
		return nil, fmt.Errorf("missing SCRIPT")
	case a.out == "":
		return nil, fmt.Errorf("missing --out DIR")
	case len(a.grid) == 0 && a.seeds == 0:
		return nil, fmt.Errorf("nothing to sweep: give --grid NAME=V1,V2,... or --seeds K")
	case a.executor == "local" && (len(a.slurmArgs) > 0 || a.detach):
		return nil, fmt.Errorf("--slurm-args and --detach need --executor slurm")
	}
	return a, nil
}

func sweepMain(args []string, stdout, stderr io.Writer) int {
	a, err := parseSweepArgs(args)
	if err != nil {
		return usage(stderr, "sweep", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if a.status != "" {
		return sweepStatus(ctx, a.status, stdout, stderr)
	}
	prog, _, code := compileFile(a.script, stderr)
	if code != exitOK {
		return code
	}
	script, err := filepath.Abs(a.script)
	if err != nil {
		fmt.Fprintf(stderr, "ngs sweep: %v\n", err)
		return exitScript
	}
	spec := sweep.Spec{Script: script, Grid: a.grid, Seeds: a.seeds}
	if err := spec.CheckNames(sweep.TopLevelNames(prog.File())); err != nil {
		fmt.Fprintf(stderr, "ngs sweep: %v\n", err)
		return exitUsage
	}
	sw, err := sweep.Create(a.out, spec)
	if err != nil {
		fmt.Fprintf(stderr, "ngs sweep: %v\n", err)
		return exitUsage
	}
	statuses, err := sw.Status(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "ngs sweep: %v\n", err)
		return exitScript
	}
	if sw.QueueError != nil {
		fmt.Fprintf(stderr, "ngs sweep: cannot tell which of the sweep's Slurm tasks still run (%v); run it where squeue works\n", sw.QueueError)
		return exitScript
	}
	todo, err := sweep.ToRun(statuses)
	if err != nil {
		fmt.Fprintf(stderr, "ngs sweep: %v\n", err)
		return exitScript
	}
	if skipped := len(sw.Tasks) - len(todo); skipped > 0 {
		fmt.Fprintf(stderr, "ngs sweep: %d of %d tasks already done, %d to run\n", skipped, len(sw.Tasks), len(todo))
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "ngs sweep: cannot find the ngs executable for the tasks: %v\n", err)
		return exitScript
	}
	switch a.executor {
	case "local":
		err = sweep.Local{Ngs: self, Jobs: max(a.jobs, 1), Progress: stderr}.Run(ctx, sw, todo)
	case "slurm":
		err = sweep.Slurm{Ngs: self, Jobs: a.jobs, Args: a.slurmArgs, Detach: a.detach, Poll: a.poll, Progress: stderr}.Run(ctx, sw, todo)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ngs sweep: %v\n", err)
		return exitScript
	}
	if a.detach {
		fmt.Fprintf(stdout, "submitted; follow it with: ngs sweep --status %s, then ngs collect %s\n", a.out, a.out)
		return exitOK
	}
	statuses, err = sw.Status(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "ngs sweep: %v\n", err)
		return exitScript
	}
	fmt.Fprintf(stdout, "%s: %s\n", a.out, sweep.CountLine(statuses))
	if n := sweep.Counts(statuses); n[sweep.Failed]+n[sweep.NotStarted] > 0 {
		fmt.Fprintf(stdout, "see ngs sweep --status %s; run the same command again to rerun what failed\n", a.out)
		return exitScript
	}
	fmt.Fprintf(stdout, "next: ngs collect %s\n", a.out)
	return exitOK
}

// sweepStatus prints where each task of a sweep stands.
func sweepStatus(ctx context.Context, dir string, stdout, stderr io.Writer) int {
	sw, err := sweep.Open(dir)
	if err != nil {
		fmt.Fprintf(stderr, "ngs sweep: %v\n", err)
		return exitUsage
	}
	statuses, err := sw.Status(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "ngs sweep: %v\n", err)
		return exitScript
	}
	fmt.Fprintf(stdout, "%s (ngs sweep %s)\n%s\n\n", dir, sw.Spec, sweep.CountLine(statuses))
	if sw.QueueError != nil {
		fmt.Fprintf(stderr, "ngs sweep: warning: cannot ask Slurm (%v): queued and running tasks may be out of date\n", sw.QueueError)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "task\t%s\tstatus\tseconds\twhere\terror\n", strings.Join(sw.Spec.Columns(), "\t"))
	for _, st := range statuses {
		secs := ""
		if st.Seconds > 0 {
			secs = strconv.FormatFloat(st.Seconds, 'f', 1, 64)
		}
		where := st.Host
		if st.Job != "" {
			where = "job " + st.Job
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", st.Name(), strings.Join(sw.Spec.ParamValues(st.Task), "\t"), st.State, secs, where, st.Error)
	}
	tw.Flush()
	return exitOK
}

func collectMain(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return usage(stderr, "collect", fmt.Errorf("expected one sweep folder DIR"))
	}
	s, err := sweep.Collect(context.Background(), args[0])
	if err != nil {
		fmt.Fprintf(stderr, "ngs collect: %v\n", err)
		if errors.Is(err, os.ErrNotExist) {
			return exitUsage
		}
		return exitScript
	}
	fmt.Fprintf(stdout, "%s: %s\nwrote %s (%d rows, %d columns), %d plots in %s, %s\n", args[0], sweep.CountLine(s.Statuses),
		s.CSV, s.Rows, s.Columns, len(s.Plots), filepath.Join(filepath.Dir(s.CSV), sweep.PlotsDir), s.Markdown)
	return exitOK
}

// splitShellWords splits --slurm-args as a shell would: at spaces, with
// single and double quotes and backslashes.
func splitShellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unclosed ' in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unclosed \" in %q", s)
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
