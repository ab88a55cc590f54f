package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ngs-lab/ngs/sweep"
)

// The Supp 7 grid at a size that fits CI: 20 neurons, 2 short epochs, no
// symbolic regression (its search is cut by time, so it would not repeat),
// three recording lengths × 3 seeds; about 1.5 s a task.
var supp7Script = filepath.Join("..", "..", "scripts", "supp7_frames.ngs")

var supp7Grid = []string{"--grid", "neurons=20", "--grid", "epochs=2", "--grid", "steps=100", "--grid", "symbolic=false",
	"--grid", "frames=500,1000,2000"}

// runNgs runs the ngs under test (testscript.Main puts it on PATH) in dir.
func runNgs(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command("ngs", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("ngs %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

func absScript(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(supp7Script)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// readState reads a task's state file (key=value lines).
func readState(t *testing.T, dir, task string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "state", task))
	if err != nil {
		return nil
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

// waitFor polls cond every 50 ms for up to limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out after %s waiting for %s", limit, what)
}

// readResults reads results.csv without the timing columns.
func readResults(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var keep []int
	for i, c := range rows[0] {
		if !sweep.TimingColumn(c) {
			keep = append(keep, i)
		}
	}
	out := make([][]string, len(rows))
	for r, row := range rows {
		for _, i := range keep {
			out[r] = append(out[r], row[i])
		}
	}
	return out
}

func column(t *testing.T, rows [][]string, name string) int {
	t.Helper()
	i := slices.Index(rows[0], name)
	if i < 0 {
		t.Fatalf("results.csv has no column %s: %v", name, rows[0])
	}
	return i
}

// TestSweepRerunAfterKilledTask kills one task's ngs run while a local
// sweep runs, and checks that the sweep goes on, records the kill, and
// that running it again runs that task only.
func TestSweepRerunAfterKilledTask(t *testing.T) {
	work := t.TempDir()
	out := filepath.Join(work, "sw")
	args := append(append([]string{"sweep", absScript(t)}, supp7Grid...), "-j", "1", "--out", out)
	cmd := exec.Command("ngs", args...)
	cmd.Dir = work
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	waitFor(t, 60*time.Second, "task 0001 to start", func() bool {
		st := readState(t, out, "0001")
		pid, _ = strconv.Atoi(st["pid"])
		return st["status"] == "running" && pid > 0
	})
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("sweep with a killed task: %v (want exit 1)\n%s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "3 tasks: 2 done, 1 failed") {
		t.Errorf("tally: %s", stdout.String())
	}
	status, _, _ := runNgs(t, work, nil, "sweep", "--status", out)
	if !regexp.MustCompile(`0001 .* failed .*killed by signal: killed`).MatchString(status) {
		t.Errorf("--status does not show task 0001 killed:\n%s", status)
	}
	before0, _ := os.ReadFile(filepath.Join(out, "state", "0000"))
	before2, _ := os.ReadFile(filepath.Join(out, "state", "0002"))

	so, se, code := runNgs(t, work, nil, args...)
	if code != 0 {
		t.Fatalf("rerun: exit %d\n%s%s", code, so, se)
	}
	if !strings.Contains(se, "2 of 3 tasks already done, 1 to run") || strings.Count(se, "started") != 1 || !strings.Contains(se, "task 0001") {
		t.Errorf("the rerun should run task 0001 only:\n%s", se)
	}
	after0, _ := os.ReadFile(filepath.Join(out, "state", "0000"))
	after2, _ := os.ReadFile(filepath.Join(out, "state", "0002"))
	if !bytes.Equal(before0, after0) || !bytes.Equal(before2, after2) {
		t.Error("the rerun touched finished tasks")
	}
	if st := readState(t, out, "0001"); st["status"] != "done" {
		t.Errorf("task 0001 after the rerun: %v", st)
	}
}

// TestSweepBadInput: a misspelt name is refused before anything runs; a
// value the script rejects fails its task only, with the script's error
// in results.csv; a missing sbatch is a clear error.
func TestSweepBadInput(t *testing.T) {
	work := t.TempDir()
	script := absScript(t)

	out := filepath.Join(work, "typo")
	_, se, code := runNgs(t, work, nil, "sweep", script, "--grid", "frame=500,1000", "--out", out)
	if code != exitUsage || !strings.Contains(se, "has no top-level assignment to frame (did you mean frames?)") {
		t.Errorf("misspelt name: exit %d, %s", code, se)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused sweep created %s", out)
	}

	out = filepath.Join(work, "bad")
	so, se, code := runNgs(t, work, nil, "sweep", script, "--grid", "neurons=20", "--grid", "epochs=1", "--grid", "steps=20",
		"--grid", "symbolic=false", "--grid", "frames=-5,300", "-j", "2", "--out", out)
	if code != exitScript || !strings.Contains(so, "2 tasks: 1 done, 1 failed") {
		t.Errorf("a rejected value: exit %d\n%s%s", code, so, se)
	}
	if _, se, code := runNgs(t, work, nil, "collect", out); code != 0 {
		t.Fatalf("collect: %s", se)
	}
	rows := readResults(t, filepath.Join(out, sweep.ResultsFile))
	status, errc, r2 := column(t, rows, "status"), column(t, rows, "error"), column(t, rows, "connectivity.r2")
	if rows[1][status] != "failed" || !strings.Contains(rows[1][errc], "supp7_frames.ngs:") ||
		!strings.Contains(rows[1][errc], "frames must be a whole number ≥ 1, found -5") {
		t.Errorf("row of frames=-5: status %q, error %q", rows[1][status], rows[1][errc])
	}
	if v, err := strconv.ParseFloat(rows[2][r2], 64); rows[2][status] != "done" || err != nil || v < -1 || v > 1 {
		t.Errorf("row of frames=300: status %q, W R² %q", rows[2][status], rows[2][r2])
	}

	// No sbatch on PATH: only ngs is.
	ngs, err := exec.LookPath("ngs")
	if err != nil {
		t.Fatal(err)
	}
	out = filepath.Join(work, "nosbatch")
	_, se, code = runNgs(t, work, []string{"PATH=" + filepath.Dir(ngs)}, "sweep", script, "--grid", "frames=500,1000", "--executor", "slurm", "--out", out)
	if code != exitScript || !strings.Contains(se, "sbatch is not on PATH") {
		t.Errorf("no sbatch: exit %d, %s", code, se)
	}
}

// slurmEnv returns the environment that points sbatch, squeue and sinfo at
// a running Slurm cluster. In CI (.ci/run) that is the one
// scripts/ci/slurm-up.sh started, named by SLURM_CONF; a test that finds
// none there fails. On a developer's machine without SLURM_CONF, the test
// starts a private one-node cluster with the same script (Slurm installed,
// root) and stops it at the end.
func slurmEnv(t *testing.T) []string {
	t.Helper()
	sinfo := func(env []string) (string, error) {
		cmd := exec.Command("sinfo", "-h", "-o", "%T")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if conf := os.Getenv("SLURM_CONF"); conf != "" {
		if state, err := sinfo(nil); err != nil || !strings.Contains(state, "idle") && !strings.Contains(state, "mix") && !strings.Contains(state, "alloc") {
			t.Fatalf("SLURM_CONF=%s, but sinfo shows no usable node: %v %s", conf, err, state)
		}
		return nil
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Slurm is not running: .ci/run must start it with scripts/ci/slurm-up.sh and export SLURM_CONF (this test does not skip)")
	}
	up, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "ci", "slurm-up.sh"))
	down, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "ci", "slurm-down.sh"))
	dir, err := os.MkdirTemp("", "ngs-slurm-test")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(up, dir).CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("this test needs a Slurm cluster, and could not start one (%v):\n%s\n"+
			"Start one as root with `scripts/ci/slurm-up.sh --install` (Debian: installs slurm-wlm and munge), then\n"+
			"`export SLURM_CONF=/tmp/ngs-slurm/slurm.conf` and run the tests again.", err, out)
	}
	t.Cleanup(func() {
		cmd := exec.Command(down, dir)
		cmd.Env = append(os.Environ(), "NGS_SLURM_KEEP_MUNGE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("stopping the test's Slurm: %v\n%s", err, out)
		}
		os.RemoveAll(dir)
	})
	return []string{"SLURM_CONF=" + filepath.Join(dir, "slurm.conf")}
}

// TestSweepSlurm runs the Supp 7 grid twice, locally with -j 2 and as a
// job array on a real Slurm; Slurm cancels one task on the way, and the
// rerun runs that task only. Both sweeps give the same results.csv up to
// the timing columns.
func TestSweepSlurm(t *testing.T) {
	env := slurmEnv(t)
	work := t.TempDir()
	script := absScript(t)
	grid := append(slices.Clone(supp7Grid), "--seeds", "3")

	local := filepath.Join(work, "local")
	if so, se, code := runNgs(t, work, env, append(append([]string{"sweep", script}, grid...), "-j", "2", "--out", local)...); code != 0 {
		t.Fatalf("local sweep: exit %d\n%s%s", code, so, se)
	}

	// sbatch refusing the job: Slurm's own words.
	_, se, code := runNgs(t, work, env, append(append([]string{"sweep", script}, grid...), "--executor", "slurm",
		"--slurm-args", "--partition=no_such_partition", "--out", filepath.Join(work, "refused"))...)
	if code != exitScript || !strings.Contains(se, "sbatch refused the job array") || !strings.Contains(se, "sbatch: error:") ||
		!strings.Contains(strings.ToLower(se), "invalid partition") {
		t.Errorf("sbatch refusing: exit %d, %s", code, se)
	}

	remote := filepath.Join(work, "slurm")
	slurmArgs := append(append([]string{"sweep", script}, grid...), "--executor", "slurm", "-j", "2", "--poll", "300ms", "--out", remote)
	so, se, code := runNgs(t, work, env, append(slurmArgs, "--detach")...)
	m := regexp.MustCompile(`submitted Slurm job (\d+): 9 tasks \(--array=0-8%2\)`).FindStringSubmatch(se)
	if code != 0 || m == nil {
		t.Fatalf("slurm sweep --detach: exit %d\n%s%s", code, so, se)
	}
	job := m[1]
	// Slurm kills the first task seen running.
	var victim, arrayTask string
	waitFor(t, 60*time.Second, "a task of job "+job+" to run", func() bool {
		for i := 0; i < 9; i++ {
			st := readState(t, remote, sweep.Task{ID: i}.Name())
			if st["status"] == "running" && strings.HasPrefix(st["job"], job+"_") {
				victim, arrayTask = sweep.Task{ID: i}.Name(), st["job"]
				return true
			}
		}
		return false
	})
	cancel := exec.Command("scancel", arrayTask)
	cancel.Env = append(os.Environ(), env...)
	if out, err := cancel.CombinedOutput(); err != nil {
		t.Fatalf("scancel %s: %v %s", arrayTask, err, out)
	}
	waitFor(t, 120*time.Second, "job "+job+" to end", func() bool {
		q := exec.Command("squeue", "-h", "-j", job)
		q.Env = append(os.Environ(), env...)
		out, err := q.Output()
		return err == nil && strings.TrimSpace(string(out)) == ""
	})
	status, _, _ := runNgs(t, work, env, "sweep", "--status", remote)
	if !strings.Contains(status, "9 tasks: 8 done, 1 failed") ||
		!regexp.MustCompile(victim+` .* failed .*killed by Slurm \(CANCELLED`).MatchString(status) {
		t.Fatalf("after scancel %s:\n%s", arrayTask, status)
	}

	// The same command again runs the cancelled task only, and waits.
	so, se, code = runNgs(t, work, env, slurmArgs...)
	if code != 0 || !strings.Contains(se, "8 of 9 tasks already done, 1 to run") || !strings.Contains(so, "9 tasks: 9 done") {
		t.Fatalf("rerun through Slurm: exit %d\n%s%s", code, so, se)
	}
	id, _ := strconv.Atoi(victim)
	if !strings.Contains(se, "(--array="+strconv.Itoa(id)+"%2)") {
		t.Errorf("the rerun should submit task %d alone:\n%s", id, se)
	}
	logs, _ := filepath.Glob(filepath.Join(remote, "logs", "*_*.err"))
	if len(logs) != 10 {
		t.Errorf("%d Slurm logs (%%A_%%a.err), want 9 tasks + 1 rerun", len(logs))
	}

	for _, dir := range []string{local, remote} {
		if _, se, code := runNgs(t, work, env, "collect", dir); code != 0 {
			t.Fatalf("collect %s: %s", dir, se)
		}
	}
	a := readResults(t, filepath.Join(local, sweep.ResultsFile))
	b := readResults(t, filepath.Join(remote, sweep.ResultsFile))
	if len(a) != 10 || len(a[0]) < 20 {
		t.Fatalf("results.csv: %d rows × %d columns, want 9 tasks and their metrics", len(a)-1, len(a[0]))
	}
	if !slices.EqualFunc(a, b, slices.Equal) {
		for r := range min(len(a), len(b)) {
			if !slices.Equal(a[r], b[r]) {
				t.Errorf("row %d differs:\nlocal %v\nslurm %v", r, a[r], b[r])
				break
			}
		}
		t.Fatal("the local and Slurm sweeps disagree beyond timing")
	}
	r2 := column(t, a, "connectivity.r2")
	for _, row := range a[1:] {
		if v, err := strconv.ParseFloat(row[r2], 64); err != nil || v < -1 || v > 1 {
			t.Errorf("W R² %q", row[r2])
		}
	}
	if _, err := os.Stat(filepath.Join(remote, sweep.PlotsDir, "connectivity.r2_vs_frames.png")); err != nil {
		t.Error(err)
	}
}

func TestSplitShellWords(t *testing.T) {
	got, err := splitShellWords(`--time=10 --job-name='a b' --comment="x \"y\"" c\ d`)
	want := []string{"--time=10", "--job-name=a b", `--comment=x "y"`, "c d"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("got %q, %v", got, err)
	}
	if _, err := splitShellWords(`'open`); err == nil {
		t.Error("unclosed quote accepted")
	}
}

func TestParseSweepArgs(t *testing.T) {
	a, err := parseSweepArgs([]string{"s.ngs", "--grid", "frames=1,2", "--grid=fill=0.1", "--seeds", "3", "-j", "2", "--out", "o",
		"--executor", "slurm", "--slurm-args", "--time=5", "--detach"})
	if err != nil || a.script != "s.ngs" || len(a.grid) != 2 || a.grid[1].Name != "fill" || a.seeds != 3 || a.jobs != 2 ||
		a.executor != "slurm" || !slices.Equal(a.slurmArgs, []string{"--time=5"}) || !a.detach || a.out != "o" {
		t.Fatalf("got %+v, %v", a, err)
	}
	for _, bad := range [][]string{
		{"s.ngs", "--grid", "frames=1"},                      // no --out
		{"s.ngs", "--out", "o"},                              // nothing to sweep
		{"s.ngs", "--grid", "f=1", "--out", "o", "--detach"}, // --detach without slurm
		{"s.ngs", "--grid", "f=1", "--out", "o", "-j", "0"},
		{"s.ngs", "--grid", "f=1", "--out", "o", "--executor", "pbs"},
		{"--status", "d", "s.ngs"},
	} {
		if _, err := parseSweepArgs(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestSweepCommandsInScripts checks the sweep command in the comment of
// each single-run script: it parses, names top-level values, and sweeps
// the values of the one-process for-loop script.
func TestSweepCommandsInScripts(t *testing.T) {
	for _, c := range []struct{ script, loop, loopVar, param string }{
		{"supp7_frames.ngs", "supp7_frames_sweep.ngs", "length", "frames"},
		{"supp8_sparsity.ngs", "supp8_sparsity_sweep.ngs", "fill", "fill"},
	} {
		path := filepath.Join("..", "..", "scripts", c.script)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		line := regexp.MustCompile(`(?m)^#\s+ngs (sweep .*)$`).FindStringSubmatch(string(src))
		if line == nil {
			t.Errorf("%s has no `ngs sweep` command in its comment", c.script)
			continue
		}
		a, err := parseSweepArgs(strings.Fields(line[1])[1:])
		if err != nil {
			t.Errorf("%s: %s: %v", c.script, line[1], err)
			continue
		}
		prog, _, code := compileFile(path, os.Stderr)
		if code != exitOK {
			t.Fatalf("%s does not compile", c.script)
		}
		spec := sweep.Spec{Script: path, Grid: a.grid, Seeds: a.seeds}
		if err := spec.CheckNames(sweep.TopLevelNames(prog.File())); err != nil {
			t.Errorf("%s: %v", c.script, err)
		}
		loop, err := os.ReadFile(filepath.Join("..", "..", "scripts", c.loop))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`for ` + c.loopVar + ` in \[([^\]]*)\]`).FindStringSubmatch(string(loop))
		if m == nil {
			t.Fatalf("%s has no loop over %s", c.loop, c.loopVar)
		}
		var want []string
		for _, v := range strings.Split(m[1], ",") {
			want = append(want, strings.TrimSpace(v))
		}
		if len(a.grid) != 1 || a.grid[0].Name != c.param || !slices.Equal(a.grid[0].Values, want) {
			t.Errorf("%s sweeps %v, %s loops over %v", c.script, a.grid, c.loop, want)
		}
	}
}
