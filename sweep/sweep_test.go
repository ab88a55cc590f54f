package sweep

import (
	"context"
	"encoding/csv"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/lang"
)

func TestParseGrid(t *testing.T) {
	p, err := ParseGrid("frames=100_000, 50_000,10_000")
	if err != nil || p.Name != "frames" || !slices.Equal(p.Values, []string{"100_000", "50_000", "10_000"}) {
		t.Fatalf("got %+v, %v", p, err)
	}
	p, err = ParseGrid(`x=[1, 2],"a,b",f(1, 2)`)
	if err != nil || !slices.Equal(p.Values, []string{"[1, 2]", `"a,b"`, "f(1, 2)"}) {
		t.Fatalf("commas inside brackets and strings: got %+v, %v", p, err)
	}
	for _, bad := range []string{"frames", "=1,2", "2x=1", "x=1,,2", "x=1,1", "x=[1,2", `x="a`} {
		if _, err := ParseGrid(bad); err == nil {
			t.Errorf("ParseGrid(%q) accepted", bad)
		}
	}
}

func TestTasksAndArgs(t *testing.T) {
	spec := Spec{Script: "/s.ngs", Grid: []Param{{"a", []string{"1", "2"}}, {"b", []string{"x", "y", "z"}}}, Seeds: 2}
	tasks := spec.Tasks()
	if len(tasks) != 12 {
		t.Fatalf("%d tasks, want 2×3×2", len(tasks))
	}
	// The first parameter varies slowest, seeds fastest.
	if got := spec.Sets(tasks[3]); !slices.Equal(got, []string{"a=1", "b=y", "seed=2"}) {
		t.Errorf("task 3: %v", got)
	}
	if got := spec.Sets(tasks[11]); !slices.Equal(got, []string{"a=2", "b=z", "seed=2"}) {
		t.Errorf("task 11: %v", got)
	}
	sw := &Sweep{Dir: "/d", Spec: spec, Tasks: tasks}
	want := []string{"run", "/s.ngs", "--set", "a=1", "--set", "b=x", "--set", "seed=1", "--out", "/d/tasks/0000"}
	if got := sw.Args(tasks[0]); !slices.Equal(got, want) {
		t.Errorf("args %v, want %v", got, want)
	}
	if got := ArrayRange([]Task{{ID: 6}, {ID: 1}, {ID: 4}, {ID: 5}, {ID: 9}, {ID: 10}}); got != "1,4-6,9-10" {
		t.Errorf("ArrayRange: %s", got)
	}
	if err := (Spec{Script: "s", Grid: []Param{{"seed", []string{"1", "2"}}}, Seeds: 2}).Validate(); err == nil {
		t.Error("--grid seed with --seeds accepted")
	}
}

func TestCheckNamesSuggests(t *testing.T) {
	f, err := lang.Parse("s.ngs", []byte("seed 42\nneurons = 10\nframes = 100\nfor k in [1] { inner = k }\n"))
	if err != nil {
		t.Fatal(err)
	}
	names := TopLevelNames(f)
	if !slices.Equal(names, []string{"seed", "neurons", "frames"}) {
		t.Fatalf("top-level names %v", names)
	}
	spec := Spec{Script: "/x/s.ngs", Grid: []Param{{"frame", []string{"1"}}, {"inner", []string{"2"}}, {"neurons", []string{"3"}}}, Seeds: 3}
	err = spec.CheckNames(names)
	if err == nil {
		t.Fatal("unknown names accepted")
	}
	msg := err.Error()
	for _, want := range []string{"--grid frame: s.ngs has no top-level assignment to frame (did you mean frames?)", "--grid inner:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "neurons") || strings.Contains(msg, "--seeds") {
		t.Errorf("error %q names a defined name", msg)
	}
	if err := (Spec{Script: "s.ngs", Seeds: 2}).CheckNames([]string{"frames"}); err == nil || !strings.Contains(err.Error(), "no top-level seed statement") {
		t.Errorf("--seeds without a seed statement: %v", err)
	}
}

func TestCreateReopensTheSameSweepOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	spec := Spec{Script: "/s.ngs", Grid: []Param{{"frames", []string{"10", "20"}}}, Seeds: 2}
	if _, err := Create(dir, spec); err != nil {
		t.Fatal(err)
	}
	tsv, err := os.ReadFile(filepath.Join(dir, TasksFile))
	if err != nil {
		t.Fatal(err)
	}
	want := "task\tframes\tseed\tdir\n0000\t10\t1\ttasks/0000\n0001\t10\t2\ttasks/0001\n0002\t20\t1\ttasks/0002\n0003\t20\t2\ttasks/0003\n"
	if string(tsv) != want {
		t.Errorf("tasks.tsv:\n%s\nwant:\n%s", tsv, want)
	}
	if sw, err := Create(dir, spec); err != nil || len(sw.Tasks) != 4 {
		t.Fatalf("reopening the same sweep: %v", err)
	}
	other := spec
	other.Grid = []Param{{"frames", []string{"10", "30"}}}
	if _, err := Create(dir, other); err == nil || !strings.Contains(err.Error(), "holds another sweep") {
		t.Errorf("another grid in the same folder: %v", err)
	}
}

func TestErrorFromStderr(t *testing.T) {
	cases := []struct{ stderr, want string }{
		{"simulate fig2  26% 100ms\ntrain gnn 100% epoch 0\n/s/x.ngs:26:34: simulate: frames: frames must be a whole number ≥ 1, found -5\n\tdata = simulate(fig2)\n\t       ^\n",
			"/s/x.ngs:26:34: simulate: frames: frames must be a whole number ≥ 1, found -5"},
		{"ngs run: --set frames=abc: --set frames:1:1: undefined: abc (did you mean abs?)\n\tabc\n\t^\nusage: ngs run FILE [--out DIR]\n",
			"ngs run: --set frames=abc: --set frames:1:1: undefined: abc (did you mean abs?)"},
		{"a.ngs:1:1: first\n\tx\n\t^\na.ngs:2:1: second\n\ty\n\t^\n", "a.ngs:1:1: first; a.ngs:2:1: second"},
		{"progress 10%\nsomething odd happened\n", "something odd happened"},
	}
	for _, c := range cases {
		if got := ErrorFromStderr(c.stderr); got != c.want {
			t.Errorf("ErrorFromStderr(%q) = %q, want %q", c.stderr, got, c.want)
		}
	}
}

// fakeSweep makes a sweep folder whose tasks ran (or not) as described by
// the test, without running ngs.
func fakeSweep(t *testing.T) *Sweep {
	t.Helper()
	dir := t.TempDir()
	spec := Spec{Script: "/s.ngs", Grid: []Param{{"frames", []string{"1_000", "2_000"}}, {"fill", []string{"0.1", "0.5"}}}, Seeds: 3}
	sw, err := Create(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	for _, task := range sw.Tasks {
		r := record{"status": "done", "exit": "0", "start_ns": "1000000000", "end_ns": "3500000000", "host": host,
			"stdout": "logs/" + task.Name() + ".out", "stderr": "logs/" + task.Name() + ".err"}
		switch task.ID {
		case 4: // a script error
			r["status"], r["exit"] = "failed", "1"
			write(t, filepath.Join(dir, "logs", "0004.err"), "train 50%\n/s.ngs:3:9: train: the data has 0 frames\n\tfit = train(gnn, data)\n\t        ^\n")
		case 5: // a process that died without recording its end
			r = record{"status": "running", "pid": "999999999", "host": host, "start_ns": "1"}
		case 6: // never started
			continue
		}
		if err := writeRecord(sw.statePath(task), r); err != nil {
			t.Fatal(err)
		}
		if r["status"] != "done" {
			continue
		}
		// W R² grows with frames, by fill; the seed adds ±0.01.
		frames, _ := strconv.ParseFloat(strings.ReplaceAll(task.Values[0], "_", ""), 64)
		fill, _ := strconv.ParseFloat(task.Values[1], 64)
		r2 := frames/4000 + fill/10 + 0.01*float64(task.Seed-2)
		metrics := `{"connectivity": {"r2": ` + strconv.FormatFloat(r2, 'g', -1, 64) + `, "n": 50, "note": "ok"},` +
			` "not_computed": [], "rollout": {"step400": {"r2": null}}, "timing": {"total_s": ` + strconv.Itoa(task.ID) + `}}`
		write(t, filepath.Join(sw.TaskDir(task), "report", "metrics.json"), metrics)
	}
	return sw
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestStatusAndToRun(t *testing.T) {
	sw := fakeSweep(t)
	sts, err := sw.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := CountLine(sts); got != "12 tasks: 9 done, 2 failed, 1 not started" {
		t.Errorf("tally %q", got)
	}
	if sts[4].Error != "/s.ngs:3:9: train: the data has 0 frames" || sts[4].Exit != 1 {
		t.Errorf("task 4: %+v", sts[4])
	}
	if !strings.Contains(sts[5].Error, "interrupted") {
		t.Errorf("task 5, whose process is gone: %+v", sts[5])
	}
	if math.Abs(sts[0].Seconds-2.5) > 1e-9 {
		t.Errorf("task 0 took %g s, want 2.5", sts[0].Seconds)
	}
	todo, err := ToRun(sts)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, task := range todo {
		ids = append(ids, task.ID)
	}
	if !slices.Equal(ids, []int{4, 5, 6}) {
		t.Errorf("rerun runs %v, want the failed and never started [4 5 6]", ids)
	}
	// A task whose process still runs blocks a rerun.
	if err := writeRecord(sw.statePath(sw.Tasks[6]), record{"status": "running", "pid": strconv.Itoa(os.Getpid()), "host": sts[0].Host}); err != nil {
		t.Fatal(err)
	}
	sts, _ = sw.Status(context.Background())
	if _, err := ToRun(sts); err == nil || !strings.Contains(err.Error(), "task 0006") {
		t.Errorf("rerun while task 6 runs: %v", err)
	}
}

func TestCollect(t *testing.T) {
	sw := fakeSweep(t)
	sum, err := Collect(context.Background(), sw.Dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(sum.CSV)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"task", "frames", "fill", "seed", "status", "error", "seconds",
		"connectivity.n", "connectivity.note", "connectivity.r2", "not_computed", "rollout.step400.r2", "timing.total_s"}
	if !slices.Equal(rows[0], wantHeader) {
		t.Fatalf("header %v\nwant %v", rows[0], wantHeader)
	}
	if len(rows) != 13 {
		t.Fatalf("%d rows, want a header and 12 tasks", len(rows))
	}
	if got := rows[1]; got[1] != "1_000" || got[3] != "1" || got[4] != "done" || got[6] != "2.500" || got[9] != "0.25" || got[10] != "[]" || got[11] != "" {
		t.Errorf("row of task 0: %v", got)
	}
	if got := rows[5]; got[4] != "failed" || got[5] != "/s.ngs:3:9: train: the data has 0 frames" || got[9] != "" {
		t.Errorf("row of the failed task 4: %v", got)
	}
	if got := rows[7]; got[4] != "not started" {
		t.Errorf("row of task 6: %v", got)
	}
	// Plots: the varying numeric metrics (connectivity.r2, timing.total_s)
	// against each parameter; constant and empty ones are left out.
	var names []string
	for _, p := range sum.Plots {
		names = append(names, filepath.Base(p))
		img, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(img)
		img.Close()
		if err != nil || cfg.Width != plotWidth || cfg.Height != plotHeight {
			t.Errorf("%s: %v, %dx%d", p, err, cfg.Width, cfg.Height)
		}
	}
	slices.Sort(names)
	want := []string{"connectivity.r2_vs_fill.png", "connectivity.r2_vs_frames.png", "timing.total_s_vs_fill.png", "timing.total_s_vs_frames.png"}
	if !slices.Equal(names, want) {
		t.Errorf("plots %v, want %v", names, want)
	}
	md, err := os.ReadFile(sum.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	// frames 1000, fill 0.1: seeds 1–3 give 0.25 + 0.01·(−1, 0, 1): mean
	// 0.26, sd 0.01. frames 1000, fill 0.5: task 4 failed, task 5 died:
	// seed 1 alone (0.25 + 0.05 − 0.01).
	for _, want := range []string{"| frames | fill | runs | connectivity.r2 |", "| 1_000 | 0.1 | 3/3 | 0.26 ± 0.01 |",
		"| 1_000 | 0.5 | 1/3 | 0.29 |", "| 0004 | frames=1_000 fill=0.5 seed=2 | failed | /s.ngs:3:9: train: the data has 0 frames |",
		"![connectivity.r2_vs_frames](plots/connectivity.r2_vs_frames.png)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
}

func TestTimingColumn(t *testing.T) {
	for name, want := range map[string]bool{"seconds": true, "timing.train_s": true, "run.started": true, "run.written": true,
		"supp7/frames_10/timing.total_s": true, "connectivity.r2": false, "run.seed": false, "status": false} {
		if TimingColumn(name) != want {
			t.Errorf("TimingColumn(%q) = %v", name, !want)
		}
	}
}

func TestSlurmEndQuotesSlurm(t *testing.T) {
	sw := fakeSweep(t)
	write(t, filepath.Join(sw.Dir, "logs", "999999_1.err"),
		"train gnn  26% epoch 2\nslurmstepd-vm: error: *** JOB 999999 ON vm CANCELLED AT 2026-12-01T23:26:27 DUE TO TIME LIMIT ***\n")
	got := sw.slurmEnd(context.Background(), "999999_1", "logs/999999_1.err")
	if want := "JOB 999999 ON vm CANCELLED AT 2026-12-01T23:26:27 DUE TO TIME LIMIT"; !strings.HasPrefix(got, "killed by Slurm") || !strings.HasSuffix(got, want) {
		t.Errorf("got %q, want Slurm's line %q", got, want)
	}
	if got := sw.slurmEnd(context.Background(), "999999_2", ""); !strings.Contains(got, "ended without recording an exit status") {
		t.Errorf("without a log: %q", got)
	}
}

func TestSeveralReportsArePrefixed(t *testing.T) {
	sw := fakeSweep(t)
	task := sw.Tasks[0]
	write(t, filepath.Join(sw.TaskDir(task), "supp7", "frames_10", "metrics.json"), `{"connectivity": {"r2": 0.5}}`)
	m, err := sw.taskMetrics(task)
	if err != nil {
		t.Fatal(err)
	}
	if m["report/connectivity.r2"] != "0.25" || m["supp7/frames_10/connectivity.r2"] != "0.5" || m["connectivity.r2"] != "" {
		t.Errorf("metrics of a task with two reports: %v", m)
	}
}
