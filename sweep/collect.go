package sweep

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Table is a sweep's results: one row per task, its parameters, state and
// wall time, then the flattened keys of its metrics.json.
type Table struct {
	// Columns names every column: task, the parameters (Spec.Columns),
	// status, error, seconds, then the metrics in sorted order.
	Columns []string
	// Params is how many parameter columns follow "task".
	Params int
	// Metrics are the metric columns (a suffix of Columns).
	Metrics []string
	Rows    [][]string
}

// Fixed columns of results.csv besides the parameters.
const (
	ColTask    = "task"
	ColStatus  = "status"
	ColError   = "error"
	ColSeconds = "seconds"
)

// TimingColumn reports whether a results.csv column measures time rather
// than the experiment: the task's wall time, metrics.json's timing.* and
// the run's start and end stamps. Two runs of one sweep agree on every
// other column.
func TimingColumn(name string) bool {
	base := name
	if i := strings.LastIndex(name, "/"); i >= 0 {
		base = name[i+1:] // metrics of a script with several reports
	}
	return name == ColSeconds || strings.HasPrefix(base, "timing.") || base == "run.started" || base == "run.written"
}

// Table reads every task's state and metrics into a table. A task with
// one metrics.json under its folder contributes its keys as they are; a
// task with several (a script that reports more than once) prefixes each
// key with the report's folder, relative to the task's.
func (sw *Sweep) Table(ctx context.Context) (*Table, []TaskStatus, error) {
	statuses, err := sw.Status(ctx)
	if err != nil {
		return nil, nil, err
	}
	metrics := make([]map[string]string, len(sw.Tasks))
	keys := map[string]bool{}
	for i, t := range sw.Tasks {
		m, err := sw.taskMetrics(t)
		if err != nil {
			return nil, nil, err
		}
		metrics[i] = m
		for k := range m {
			keys[k] = true
		}
	}
	tb := &Table{Params: len(sw.Spec.Columns())}
	for k := range keys {
		tb.Metrics = append(tb.Metrics, k)
	}
	sort.Strings(tb.Metrics)
	tb.Columns = append(append([]string{ColTask}, sw.Spec.Columns()...), ColStatus, ColError, ColSeconds)
	tb.Columns = append(tb.Columns, tb.Metrics...)
	for i, st := range statuses {
		row := append([]string{st.Name()}, sw.Spec.ParamValues(st.Task)...)
		secs := ""
		if st.Seconds > 0 {
			secs = strconv.FormatFloat(st.Seconds, 'f', 3, 64)
		}
		row = append(row, string(st.State), st.Error, secs)
		for _, k := range tb.Metrics {
			row = append(row, metrics[i][k])
		}
		tb.Rows = append(tb.Rows, row)
	}
	return tb, statuses, nil
}

// taskMetrics flattens the task's metrics.json files.
func (sw *Sweep) taskMetrics(t Task) (map[string]string, error) {
	root := sw.TaskDir(t)
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && path == root {
				return filepath.SkipDir
			}
			return err
		}
		if !d.IsDir() && d.Name() == "metrics.json" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		prefix := ""
		if len(files) > 1 {
			rel, _ := filepath.Rel(root, filepath.Dir(f))
			prefix = filepath.ToSlash(rel) + "/"
		}
		flatten(prefix, v, out)
	}
	return out, nil
}

// flatten writes the leaves of v under dotted keys: objects nest with ".",
// lists and scalars are leaves (a list as its JSON text), null is "".
func flatten(key string, v any, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			name := k
			if key != "" && !strings.HasSuffix(key, "/") {
				name = key + "." + k
			} else {
				name = key + k
			}
			flatten(name, x, out)
		}
	case nil:
		out[key] = ""
	case string:
		out[key] = v
	case json.Number:
		out[key] = v.String()
	case bool:
		out[key] = strconv.FormatBool(v)
	default:
		data, _ := json.Marshal(v)
		out[key] = string(data)
	}
}

// WriteCSV writes the table as CSV.
func (tb *Table) WriteCSV(path string) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(tb.Columns)
	w.WriteAll(tb.Rows)
	if err := w.Error(); err != nil {
		return err
	}
	return writeFileAtomic(path, b.Bytes())
}

// Column returns the index of a column, or -1.
func (tb *Table) Column(name string) int { return slices.Index(tb.Columns, name) }

// numeric parses a cell as a number: a JSON number or an ngs number
// literal with underscores (100_000).
func numeric(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// NumericMetrics lists the metric columns worth plotting: every cell a
// number or empty, at least one number, and not the same number in every
// row.
func (tb *Table) NumericMetrics() []string {
	var out []string
	for _, m := range tb.Metrics {
		c := tb.Column(m)
		n, ok, first, varies := 0, true, 0.0, false
		for _, row := range tb.Rows {
			if row[c] == "" {
				continue
			}
			f, isNum := numeric(row[c])
			if !isNum {
				ok = false
				break
			}
			if n == 0 {
				first = f
			} else if f != first {
				varies = true
			}
			n++
		}
		if ok && n > 0 && varies {
			out = append(out, m)
		}
	}
	return out
}

// Summary is what Collect wrote.
type Summary struct {
	CSV, Markdown string
	Plots         []string
	Rows, Columns int
	Statuses      []TaskStatus
}

// Collect writes DIR/results.csv, one plot per numeric metric against each
// swept parameter under DIR/plots (mean over seeds with their spread), and
// DIR/results.md.
func Collect(ctx context.Context, dir string) (*Summary, error) {
	sw, err := Open(dir)
	if err != nil {
		return nil, err
	}
	tb, statuses, err := sw.Table(ctx)
	if err != nil {
		return nil, err
	}
	s := &Summary{CSV: filepath.Join(sw.Dir, ResultsFile), Markdown: filepath.Join(sw.Dir, SummaryFile),
		Rows: len(tb.Rows), Columns: len(tb.Columns), Statuses: statuses}
	if err := tb.WriteCSV(s.CSV); err != nil {
		return nil, err
	}
	plotDir := filepath.Join(sw.Dir, PlotsDir)
	if err := os.RemoveAll(plotDir); err != nil {
		return nil, err
	}
	plots, err := sw.writePlots(tb, plotDir)
	if err != nil {
		return nil, err
	}
	s.Plots = plots
	if err := writeFileAtomic(s.Markdown, sw.markdown(tb, statuses, plots)); err != nil {
		return nil, err
	}
	return s, nil
}

// headline metrics lead results.md when present.
var headline = []string{"connectivity.r2", "connectivity.slope", "types.accuracy", "functions.phi.r2", "functions.psi.r2", "rollout.step400.r2"}

// group is the tasks that share every grid value and differ in seed.
type group struct {
	values []string // one per grid parameter
	rows   []int
}

// groups splits the table's rows by grid point, in task order.
func (sw *Sweep) groups(tb *Table) []group {
	var gs []group
	index := map[string]int{}
	for i, t := range sw.Tasks {
		key := strings.Join(t.Values, "\x00")
		g, ok := index[key]
		if !ok {
			g = len(gs)
			index[key] = g
			gs = append(gs, group{values: t.Values})
		}
		gs[g].rows = append(gs[g].rows, i)
	}
	return gs
}

// varying lists the grid parameters that take more than one value (all of
// them when none does), and describes the others as NAME=VALUE.
func (sw *Sweep) varying() (idx []int, fixed []string) {
	for i, p := range sw.Spec.Grid {
		if len(p.Values) > 1 {
			idx = append(idx, i)
		} else {
			fixed = append(fixed, p.Name+"="+p.Values[0])
		}
	}
	if len(idx) == 0 {
		for i := range sw.Spec.Grid {
			idx = append(idx, i)
		}
		fixed = nil
	}
	return idx, fixed
}

// meanStd is the mean and sample standard deviation of a column over rows
// (NaN when no row has a number; the deviation is NaN with one number).
func meanStd(tb *Table, col int, rows []int) (mean, std float64, n int) {
	var xs []float64
	for _, r := range rows {
		if f, ok := numeric(tb.Rows[r][col]); ok {
			xs = append(xs, f)
		}
	}
	if len(xs) == 0 {
		return math.NaN(), math.NaN(), 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, math.NaN(), len(xs)
	}
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)-1)), len(xs)
}

func (sw *Sweep) markdown(tb *Table, statuses []TaskStatus, plots []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Sweep %s\n\n", filepath.Base(sw.Dir))
	fmt.Fprintf(&b, "`ngs sweep %s`\n\n", sw.Spec)
	fmt.Fprintf(&b, "%s. One row per task in [%s](%s).\n\n", CountLine(statuses), ResultsFile, ResultsFile)
	numeric := tb.NumericMetrics()
	var shown []string
	for _, h := range headline {
		if slices.Contains(numeric, h) {
			shown = append(shown, h)
		}
	}
	if len(shown) == 0 {
		shown = numeric[:min(len(numeric), 5)]
	}
	if len(shown) > 0 && len(sw.Spec.Grid) > 0 {
		what := "mean ± standard deviation over seeds"
		if sw.Spec.Seeds == 0 {
			what = "one run per point"
		}
		fmt.Fprintf(&b, "## Results (%s)\n\n", what)
		varying, fixed := sw.varying()
		if len(fixed) > 0 {
			fmt.Fprintf(&b, "Every task: %s.\n\n", strings.Join(fixed, ", "))
		}
		header := []string{}
		for _, i := range varying {
			header = append(header, sw.Spec.Grid[i].Name)
		}
		header = append(header, "runs")
		header = append(header, shown...)
		b.WriteString("| " + strings.Join(header, " | ") + " |\n")
		b.WriteString(strings.Repeat("|---", len(header)) + "|\n")
		for _, g := range sw.groups(tb) {
			var cells []string
			for _, i := range varying {
				cells = append(cells, g.values[i])
			}
			ok := 0
			for _, r := range g.rows {
				if statuses[r].State == Done {
					ok++
				}
			}
			cells = append(cells, fmt.Sprintf("%d/%d", ok, len(g.rows)))
			for _, m := range shown {
				mean, std, n := meanStd(tb, tb.Column(m), g.rows)
				switch {
				case n == 0:
					cells = append(cells, "–")
				case math.IsNaN(std):
					cells = append(cells, fmt.Sprintf("%.4g", mean))
				default:
					cells = append(cells, fmt.Sprintf("%.4g ± %.2g", mean, std))
				}
			}
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		}
		b.WriteString("\n")
	}
	var failed []TaskStatus
	for _, st := range statuses {
		if st.State != Done {
			failed = append(failed, st)
		}
	}
	if len(failed) > 0 {
		b.WriteString("## Tasks not done\n\n| task | values | status | error |\n|---|---|---|---|\n")
		for _, st := range failed {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", st.Name(), sw.Describe(st.Task), st.State, strings.ReplaceAll(st.Error, "|", "\\|"))
		}
		b.WriteString("\n")
	}
	if len(plots) > 0 {
		b.WriteString("## Plots\n\nEach metric against each swept parameter: the mean over seeds, bars of one standard deviation, the runs as dots.\n\n")
		var rest []string
		for _, p := range plots {
			rel := filepath.ToSlash(filepath.Join(PlotsDir, filepath.Base(p)))
			name := strings.TrimSuffix(filepath.Base(p), ".png")
			lead := false
			for _, m := range shown {
				if strings.HasPrefix(name, plotName(m)+"_vs_") {
					lead = true
				}
			}
			if lead {
				fmt.Fprintf(&b, "![%s](%s)\n\n", name, rel)
			} else {
				rest = append(rest, fmt.Sprintf("[%s](%s)", name, rel))
			}
		}
		if len(rest) > 0 {
			b.WriteString("More: " + strings.Join(rest, " · ") + "\n")
		}
	}
	return []byte(b.String())
}
