// Package sweep runs grids of ngs runs, on this machine or as one Slurm job
// array, keeps track of where each run stands, and collects their metrics
// into one table with plots.
//
// A sweep is a script, a grid of values for some of its top-level names and
// a number of seeds. Each point of the grid, with each seed, is one task,
// and a task is exactly
//
//	ngs run SCRIPT --set NAME=VALUE ... [--set seed=K] --out DIR/tasks/NNNN
//
// A sweep lives in its folder DIR:
//
//	DIR/sweep.json     the script, the grid and the number of seeds
//	DIR/tasks.tsv      one row per task: its --set values, seed and folder
//	DIR/tasks/NNNN/    the output folder of task NNNN
//	DIR/state/NNNN     where task NNNN stands (key=value lines)
//	DIR/logs/          each task's stdout and stderr: NNNN.out and NNNN.err
//	                   locally, JOB_INDEX.out and .err (Slurm's %A_%a) under Slurm
//	DIR/slurm/         the array job script and the ids of the submitted arrays
//	DIR/results.csv, DIR/results.md, DIR/plots/   written by Collect
//
// Running a sweep again runs only the tasks that have not finished: those
// never started and those that failed (a script error, a killed process, a
// task that Slurm ended for its time limit).
package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ngs-lab/ngs/lang"
)

// Param is one swept name and its values, each an ngs expression as given
// on the command line (--grid frames=1000,2000).
type Param struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// Spec says what a sweep runs.
type Spec struct {
	// Script is the absolute path of the script.
	Script string `json:"script"`
	// Grid holds the swept names in command-line order; the first varies
	// slowest.
	Grid []Param `json:"grid"`
	// Seeds, when positive, runs every grid point with seed = 1 … Seeds
	// (--set seed=K, which replaces the script's `seed N` statement).
	Seeds int `json:"seeds"`
}

// Task is one run of a sweep.
type Task struct {
	// ID numbers the task from 0; it is the Slurm array index.
	ID int
	// Values holds the value of each grid parameter, in Spec.Grid order.
	Values []string
	// Seed is the task's seed, or 0 when the sweep has no seeds.
	Seed int
}

// Name is the task's folder and state name: its ID on four digits.
func (t Task) Name() string { return fmt.Sprintf("%04d", t.ID) }

// Sweep is a sweep folder: its spec and its tasks.
type Sweep struct {
	// Dir is the sweep folder (absolute).
	Dir   string
	Spec  Spec
	Tasks []Task
	// QueueError is set by Status when the sweep has Slurm jobs and squeue
	// could not say which still run: queued and running states may then
	// be out of date.
	QueueError error
}

// File names inside a sweep folder.
const (
	SpecFile    = "sweep.json"
	TasksFile   = "tasks.tsv"
	ResultsFile = "results.csv"
	SummaryFile = "results.md"
	PlotsDir    = "plots"
)

// ParseGrid parses one --grid argument, NAME=V1,V2,... Values are split at
// commas outside brackets, braces, parentheses and strings, so that a value
// may be a list ([1, 2]) or a string ("a,b").
func ParseGrid(arg string) (Param, error) {
	name, list, ok := strings.Cut(arg, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return Param{}, fmt.Errorf("--grid %q: expected NAME=V1,V2,...", arg)
	}
	if !isIdent(name) {
		return Param{}, fmt.Errorf("--grid %q: %q is not a name", arg, name)
	}
	values, err := splitValues(list)
	if err != nil {
		return Param{}, fmt.Errorf("--grid %s: %v", name, err)
	}
	seen := map[string]bool{}
	for _, v := range values {
		if v == "" {
			return Param{}, fmt.Errorf("--grid %s=%s: empty value", name, list)
		}
		if strings.ContainsAny(v, "\t\n\r") {
			return Param{}, fmt.Errorf("--grid %s: value %q holds a tab or a line break", name, v)
		}
		if seen[v] {
			return Param{}, fmt.Errorf("--grid %s: value %s given twice", name, v)
		}
		seen[v] = true
	}
	return Param{Name: name, Values: values}, nil
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

// splitValues splits at top-level commas and trims each value.
func splitValues(list string) ([]string, error) {
	var values []string
	depth, start := 0, 0
	inString := false
	for i := 0; i < len(list); i++ {
		c := list[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '(' || c == '{':
			depth++
		case c == ']' || c == ')' || c == '}':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced %c in %q", c, list)
			}
		case c == ',' && depth == 0:
			values = append(values, strings.TrimSpace(list[start:i]))
			start = i + 1
		}
	}
	if inString || depth != 0 {
		return nil, fmt.Errorf("unclosed string or bracket in %q", list)
	}
	return append(values, strings.TrimSpace(list[start:])), nil
}

// Validate checks the spec on its own (not against the script).
func (s Spec) Validate() error {
	if s.Script == "" {
		return errors.New("no script")
	}
	if len(s.Grid) == 0 && s.Seeds <= 0 {
		return errors.New("nothing to sweep: give at least one --grid NAME=V1,V2,... or --seeds K")
	}
	if s.Seeds < 0 {
		return fmt.Errorf("--seeds %d: expected a count ≥ 1", s.Seeds)
	}
	seen := map[string]bool{}
	for _, p := range s.Grid {
		if seen[p.Name] {
			return fmt.Errorf("--grid %s given twice", p.Name)
		}
		seen[p.Name] = true
		if len(p.Values) == 0 {
			return fmt.Errorf("--grid %s has no values", p.Name)
		}
	}
	if seen["seed"] && s.Seeds > 0 {
		return errors.New("--grid seed=... and --seeds both set the seed: give one of them")
	}
	return nil
}

// TopLevelNames lists the names that ngs run --set can override in f: the
// top-level assignments, and "seed" when f has a top-level seed statement.
func TopLevelNames(f *lang.File) []string {
	var names []string
	for _, st := range f.Stmts {
		switch st := st.(type) {
		case *lang.Assign:
			if n, ok := st.Target.(*lang.Name); ok && !slices.Contains(names, n.Name) {
				names = append(names, n.Name)
			}
		case *lang.Seed:
			if !slices.Contains(names, "seed") {
				names = append(names, "seed")
			}
		}
	}
	return names
}

// CheckNames checks that every swept name (and seed, when the sweep has
// seeds) is one that the script defines at its top level, given the names
// it defines (TopLevelNames). The error suggests the nearest defined name.
func (s Spec) CheckNames(defined []string) error {
	var errs []string
	for _, p := range s.Grid {
		if slices.Contains(defined, p.Name) {
			continue
		}
		msg := fmt.Sprintf("--grid %s: %s has no top-level assignment to %s", p.Name, filepath.Base(s.Script), p.Name)
		if hint := lang.Closest(p.Name, defined); hint != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", hint)
		}
		errs = append(errs, msg)
	}
	if s.Seeds > 0 && !slices.Contains(defined, "seed") {
		errs = append(errs, fmt.Sprintf("--seeds %d: %s has no top-level seed statement for --set seed=K to replace", s.Seeds, filepath.Base(s.Script)))
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// Tasks lists the grid's tasks: every combination of the values, the
// first parameter varying slowest, each with every seed.
func (s Spec) Tasks() []Task {
	var tasks []Task
	seeds := []int{0}
	if s.Seeds > 0 {
		seeds = seeds[:0]
		for k := 1; k <= s.Seeds; k++ {
			seeds = append(seeds, k)
		}
	}
	idx := make([]int, len(s.Grid))
	for {
		values := make([]string, len(s.Grid))
		for i, p := range s.Grid {
			values[i] = p.Values[idx[i]]
		}
		for _, seed := range seeds {
			tasks = append(tasks, Task{ID: len(tasks), Values: values, Seed: seed})
		}
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(s.Grid[i].Values) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return tasks
		}
	}
}

// Columns names the parameter columns of tasks.tsv and results.csv: the
// grid's names, then seed when the sweep has seeds.
func (s Spec) Columns() []string {
	var cols []string
	for _, p := range s.Grid {
		cols = append(cols, p.Name)
	}
	if s.Seeds > 0 {
		cols = append(cols, "seed")
	}
	return cols
}

// ParamValues returns the task's values in Columns order.
func (s Spec) ParamValues(t Task) []string {
	vals := slices.Clone(t.Values)
	if s.Seeds > 0 {
		vals = append(vals, strconv.Itoa(t.Seed))
	}
	return vals
}

// Sets returns the task's NAME=VALUE overrides, in Columns order.
func (s Spec) Sets(t Task) []string {
	var sets []string
	for i, name := range s.Columns() {
		sets = append(sets, name+"="+s.ParamValues(t)[i])
	}
	return sets
}

// TaskDir is the output folder of a task.
func (sw *Sweep) TaskDir(t Task) string { return filepath.Join(sw.Dir, "tasks", t.Name()) }

// Args are the arguments of the task's ngs command:
// run SCRIPT --set NAME=VALUE ... --out DIR/tasks/NNNN.
func (sw *Sweep) Args(t Task) []string {
	args := []string{"run", sw.Spec.Script}
	for _, set := range sw.Spec.Sets(t) {
		args = append(args, "--set", set)
	}
	return append(args, "--out", sw.TaskDir(t))
}

// Describe is a short label of the task's values ("frames=1000 seed=2"):
// the parameters that take more than one value, or all when none does.
func (sw *Sweep) Describe(t Task) string {
	var parts []string
	for i, p := range sw.Spec.Grid {
		if len(p.Values) > 1 {
			parts = append(parts, p.Name+"="+t.Values[i])
		}
	}
	if sw.Spec.Seeds > 1 {
		parts = append(parts, "seed="+strconv.Itoa(t.Seed))
	}
	if len(parts) == 0 {
		return strings.Join(sw.Spec.Sets(t), " ")
	}
	return strings.Join(parts, " ")
}

// Create makes the sweep folder dir for spec, writing sweep.json and
// tasks.tsv, or opens it when it already holds the same sweep (a rerun).
// A folder holding another sweep is an error.
func Create(dir string, spec Spec) (*Sweep, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if old, err := Open(abs); err == nil {
		if !sameSpec(old.Spec, spec) {
			return nil, fmt.Errorf("%s holds another sweep (%s); choose another --out, or delete the folder", dir, old.Spec)
		}
		return old, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	sw := &Sweep{Dir: abs, Spec: spec, Tasks: spec.Tasks()}
	for _, sub := range []string{"tasks", "state", "logs"} {
		if err := os.MkdirAll(filepath.Join(abs, sub), 0o755); err != nil {
			return nil, err
		}
	}
	data, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(abs, TasksFile), sw.tasksTSV()); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(abs, SpecFile), append(data, '\n')); err != nil {
		return nil, err
	}
	return sw, nil
}

// Open reads the sweep folder dir. The error wraps os.ErrNotExist when dir
// holds no sweep.json.
func Open(dir string) (*Sweep, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(abs, SpecFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not a sweep folder (no %s): %w", dir, SpecFile, os.ErrNotExist)
		}
		return nil, err
	}
	var spec Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, SpecFile), err)
	}
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, SpecFile), err)
	}
	return &Sweep{Dir: abs, Spec: spec, Tasks: spec.Tasks()}, nil
}

func sameSpec(a, b Spec) bool {
	if a.Script != b.Script || a.Seeds != b.Seeds || len(a.Grid) != len(b.Grid) {
		return false
	}
	for i := range a.Grid {
		if a.Grid[i].Name != b.Grid[i].Name || !slices.Equal(a.Grid[i].Values, b.Grid[i].Values) {
			return false
		}
	}
	return true
}

// String describes the spec in the command line's terms.
func (s Spec) String() string {
	parts := []string{s.Script}
	for _, p := range s.Grid {
		parts = append(parts, "--grid "+p.Name+"="+strings.Join(p.Values, ","))
	}
	if s.Seeds > 0 {
		parts = append(parts, "--seeds "+strconv.Itoa(s.Seeds))
	}
	return strings.Join(parts, " ")
}

// tasksTSV is the task table: task, the parameter columns, dir.
func (sw *Sweep) tasksTSV() []byte {
	var b bytes.Buffer
	b.WriteString(strings.Join(append(append([]string{"task"}, sw.Spec.Columns()...), "dir"), "\t") + "\n")
	for _, t := range sw.Tasks {
		row := append([]string{t.Name()}, sw.Spec.ParamValues(t)...)
		row = append(row, filepath.Join("tasks", t.Name()))
		b.WriteString(strings.Join(row, "\t") + "\n")
	}
	return b.Bytes()
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so that readers never see half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
