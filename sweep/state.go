package sweep

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// State is where a task stands.
type State string

// Task states. A task to run is one NotStarted or Failed.
const (
	NotStarted State = "not started"
	Queued     State = "queued"
	Running    State = "running"
	Done       State = "done"
	Failed     State = "failed"
)

// TaskStatus is a task and where it stands.
type TaskStatus struct {
	Task
	State State
	// Exit is the exit status of ngs run, or -1 when it did not exit
	// (killed, still running, never started).
	Exit int
	// Seconds is the task's wall time (0 when it did not end).
	Seconds float64
	// Error says why a failed task failed: the script's error as ngs run
	// printed it, or how the task was killed.
	Error string
	// Job is the Slurm array task (JOB_INDEX), or "" for a local task.
	Job string
	// Host is the machine the task ran on.
	Host string
	// Stdout and Stderr are the task's log files, relative to the sweep
	// folder ("" before it started).
	Stdout, Stderr string
}

// record is a state file: key=value lines. The local executor writes it
// from Go, the Slurm job script from bash; both write status=running when
// the task starts and status=done or failed with exit, start_ns and end_ns
// when ngs run returns.
type record map[string]string

func (sw *Sweep) statePath(t Task) string { return filepath.Join(sw.Dir, "state", t.Name()) }

func readRecord(path string) (record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := record{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			r[k] = v
		}
	}
	return r, sc.Err()
}

func writeRecord(path string, r record) error {
	var b strings.Builder
	for _, k := range []string{"status", "exit", "start_ns", "end_ns", "pid", "host", "job", "stdout", "stderr", "error"} {
		if v, ok := r[k]; ok {
			b.WriteString(k + "=" + strings.NewReplacer("\r", " ", "\n", " | ").Replace(v) + "\n")
		}
	}
	return writeFileAtomic(path, []byte(b.String()))
}

// Status says where every task stands. It reads the state files and, for
// tasks handed to Slurm, asks squeue which are still queued or running; a
// task whose process or Slurm job ended without recording an exit status
// was killed, and is Failed with the reason found (Slurm's accounting, or
// slurmstepd's message in its log).
func (sw *Sweep) Status(ctx context.Context) ([]TaskStatus, error) {
	records := make([]record, len(sw.Tasks))
	errs := make([]error, len(sw.Tasks))
	ask := false // squeue matters only for tasks not started or running under Slurm
	for i, t := range sw.Tasks {
		records[i], errs[i] = readRecord(sw.statePath(t))
		if errs[i] != nil || records[i]["status"] == "running" && records[i]["job"] != "" {
			ask = true
		}
	}
	var live queue
	var qerr error
	if ask {
		live, qerr = sw.slurmQueue(ctx)
	}
	sw.QueueError = qerr
	host, _ := os.Hostname()
	out := make([]TaskStatus, len(sw.Tasks))
	for i, t := range sw.Tasks {
		st := TaskStatus{Task: t, State: NotStarted, Exit: -1}
		r, err := records[i], errs[i]
		switch {
		case errors.Is(err, os.ErrNotExist):
			if job, ok := live.task(t.ID); ok {
				st.State, st.Job = Queued, job.id
				if job.state == "RUNNING" {
					// Started, but its job script has not written its state yet.
					st.State = Running
				}
			}
			out[i] = st
			continue
		case err != nil:
			return nil, err
		}
		st.Job, st.Host, st.Stdout, st.Stderr = r["job"], r["host"], r["stdout"], r["stderr"]
		if e, err := strconv.Atoi(r["exit"]); err == nil {
			st.Exit = e
		}
		start, _ := strconv.ParseInt(r["start_ns"], 10, 64)
		end, _ := strconv.ParseInt(r["end_ns"], 10, 64)
		if start > 0 && end >= start {
			st.Seconds = float64(end-start) / 1e9
		}
		switch r["status"] {
		case "done":
			st.State = Done
		case "failed":
			st.State = Failed
			st.Error = r["error"]
			if st.Error == "" {
				st.Error = sw.errorFromLog(st.Stderr)
			}
			if st.Error == "" {
				st.Error = fmt.Sprintf("ngs run exited with status %d", st.Exit)
			}
		case "running":
			st.State = Running
			switch {
			case st.Job != "":
				if _, ok := live.job(st.Job); ok || qerr != nil {
					break // still under Slurm, or Slurm cannot be asked
				}
				st.State = Failed
				st.Error = sw.slurmEnd(ctx, st.Job, st.Stderr)
			case st.Host == host:
				pid, _ := strconv.Atoi(r["pid"])
				if pid > 0 && syscall.Kill(pid, 0) == nil {
					break
				}
				st.State = Failed
				st.Error = "interrupted: the task's process ended without an exit status (ngs sweep was stopped or killed)"
			}
		default:
			return nil, fmt.Errorf("%s: unknown status %q", sw.statePath(t), r["status"])
		}
		out[i] = st
	}
	return out, nil
}

// ToRun picks the tasks that a rerun runs: those not started and those
// that failed. It is an error for a task to be still queued or running.
func ToRun(statuses []TaskStatus) ([]Task, error) {
	var todo []Task
	var busy []string
	for _, st := range statuses {
		switch st.State {
		case NotStarted, Failed:
			todo = append(todo, st.Task)
		case Queued, Running:
			where := "locally"
			if st.Job != "" {
				where = "as Slurm job " + st.Job
			}
			busy = append(busy, fmt.Sprintf("task %s (%s)", st.Name(), where))
		}
	}
	if len(busy) > 0 {
		more := ""
		if len(busy) > 3 {
			more = fmt.Sprintf(" and %d more", len(busy)-3)
			busy = busy[:3]
		}
		return nil, fmt.Errorf("the sweep is still running: %s%s is queued or running; wait for it (ngs sweep --status DIR) or cancel it", strings.Join(busy, ", "), more)
	}
	return todo, nil
}

// Counts tallies the states.
func Counts(statuses []TaskStatus) map[State]int {
	n := map[State]int{}
	for _, st := range statuses {
		n[st.State]++
	}
	return n
}

// CountLine is a one-line tally, "9 tasks: 7 done, 1 failed, 1 running".
func CountLine(statuses []TaskStatus) string {
	n := Counts(statuses)
	parts := []string{}
	for _, s := range []State{Done, Failed, Running, Queued, NotStarted} {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	return fmt.Sprintf("%d tasks: %s", len(statuses), strings.Join(parts, ", "))
}

// errorHeader matches the first line of an ngs error: FILE:LINE:COL: …,
// or a message of the command (ngs run: …, ngs: …).
var errorHeader = regexp.MustCompile(`^(\S.*:\d+:\d+: |ngs( \w+)?: )`)

// errorFromLog extracts the error a failed ngs run printed at the end of
// its stderr log: the message lines of the last block of error lines
// (source lines and carets dropped), or the last line when none matches.
func (sw *Sweep) errorFromLog(rel string) string {
	if rel == "" {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(sw.Dir, rel))
	if err != nil {
		return ""
	}
	return ErrorFromStderr(string(data))
}

// ErrorFromStderr extracts the error message from the stderr of a failed
// ngs run (see errorFromLog).
func ErrorFromStderr(stderr string) string {
	lines := strings.Split(strings.ReplaceAll(stderr, "\r", "\n"), "\n")
	var msgs []string
	last := ""
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		switch {
		case strings.TrimSpace(l) == "":
			continue
		case strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "usage:"):
			if last == "" && !strings.HasPrefix(l, "usage:") {
				last = strings.TrimSpace(l)
			}
			continue
		case errorHeader.MatchString(l) || strings.HasPrefix(l, "slurmstepd: "):
			msgs = append([]string{strings.TrimSpace(l)}, msgs...)
			continue
		}
		if last == "" {
			last = strings.TrimSpace(l)
		}
		break
	}
	if len(msgs) > 0 {
		return strings.Join(msgs, "; ")
	}
	return last
}

// stepdKill matches the line slurmstepd writes to a task's stderr when
// Slurm ends it: "slurmstepd: error: *** JOB 12 ON node CANCELLED AT … DUE
// TO TIME LIMIT ***".
var stepdKill = regexp.MustCompile(`\*\*\* .*(CANCELLED|TIME LIMIT|PREEMPT|NODE FAIL).*\*\*\*`)

// slurmEnd says how Slurm ended a task that recorded no exit status: the
// state Slurm's accounting reports, slurmstepd's message in the task's
// log, or that it ended without one.
func (sw *Sweep) slurmEnd(ctx context.Context, job, stderrLog string) string {
	msg := ""
	if stderrLog != "" {
		if data, err := os.ReadFile(filepath.Join(sw.Dir, stderrLog)); err == nil {
			if m := stepdKill.FindString(string(data)); m != "" {
				msg = strings.Trim(m, "* ")
			}
		}
	}
	state := slurmAccounting(ctx, job)
	switch {
	case state != "" && msg != "":
		return fmt.Sprintf("killed by Slurm (%s): %s", state, msg)
	case state != "":
		return fmt.Sprintf("killed by Slurm (%s)", state)
	case msg != "":
		return "killed by Slurm: " + msg
	}
	return "killed: Slurm job " + job + " ended without recording an exit status"
}

// slurmAccounting asks sacct, then scontrol, for the final state of a job
// array task ("TIMEOUT", "CANCELLED by 0", "OUT_OF_MEMORY"), or "" when
// neither knows (no accounting storage, job purged).
func slurmAccounting(ctx context.Context, job string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "sacct", "-n", "-X", "-P", "-j", job, "-o", "State").Output(); err == nil {
		if s := strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0]); s != "" {
			return s
		}
	}
	if out, err := exec.CommandContext(ctx, "scontrol", "show", "job", "-o", job).Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if v, ok := strings.CutPrefix(f, "JobState="); ok {
				return v
			}
		}
	}
	return ""
}
