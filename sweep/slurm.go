package sweep

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Slurm submits tasks as one Slurm job array, sbatch --array=IDS%Jobs,
// where SLURM_ARRAY_TASK_ID is the task's ID (its row of tasks.tsv), with
// the logs DIR/logs/%A_%a.out and .err, then waits for it.
type Slurm struct {
	// Ngs is the ngs executable the array tasks run; it must be at the same
	// path on the compute nodes (a shared file system).
	Ngs string
	// Jobs caps how many tasks run at once (the array's %P); 0 leaves it
	// to Slurm.
	Jobs int
	// Args are more sbatch options (--partition, --time, --mem, …).
	Args []string
	// Detach returns once the array is submitted, without waiting.
	Detach bool
	// Poll is how often squeue is asked while waiting (default 10 s).
	Poll time.Duration
	// Progress receives a line whenever the tally changes; nil discards.
	Progress io.Writer
}

// SubmitError is sbatch missing or refusing the job; Msg quotes Slurm.
type SubmitError struct{ Msg string }

func (e *SubmitError) Error() string { return e.Msg }

// Run submits the tasks as one array job and, unless Detach, waits until
// Slurm no longer lists any of them.
func (s Slurm) Run(ctx context.Context, sw *Sweep, todo []Task) error {
	if len(todo) == 0 {
		return nil
	}
	sbatch, err := exec.LookPath("sbatch")
	if err != nil {
		return &SubmitError{Msg: fmt.Sprintf("--executor slurm: sbatch is not on PATH (%v); run ngs sweep on a Slurm login node, or use --executor local", err)}
	}
	dir := filepath.Join(sw.Dir, "slurm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(sw.Dir, "logs"), 0o755); err != nil {
		return err
	}
	script := filepath.Join(dir, "job.sh")
	if err := writeFileAtomic(script, sw.jobScript(s.Ngs)); err != nil {
		return err
	}
	if err := os.Chmod(script, 0o755); err != nil {
		return err
	}
	// The old state of the tasks to rerun goes aside, so that --status
	// shows them queued; it comes back if sbatch refuses the job.
	var moved []string
	for _, t := range todo {
		p := sw.statePath(t)
		if err := os.Rename(p, p+".prev"); err == nil {
			moved = append(moved, p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	restore := func() {
		for _, p := range moved {
			os.Rename(p+".prev", p)
		}
	}
	array := ArrayRange(todo)
	if s.Jobs > 0 {
		array += "%" + strconv.Itoa(s.Jobs)
	}
	cwd, err := os.Getwd()
	if err != nil {
		restore()
		return err
	}
	args := []string{"--parsable", "--array=" + array, "--job-name=ngs-sweep-" + filepath.Base(sw.Dir),
		"--output=" + filepath.Join(sw.Dir, "logs", "%A_%a.out"), "--error=" + filepath.Join(sw.Dir, "logs", "%A_%a.err"),
		"--chdir=" + cwd}
	args = append(append(args, s.Args...), script)
	subCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(subCtx, sbatch, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		restore()
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return &SubmitError{Msg: fmt.Sprintf("sbatch refused the job array (%s): %s", err, msg)}
	}
	for _, p := range moved {
		os.Remove(p + ".prev")
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	if _, err := strconv.Atoi(id); err != nil {
		return &SubmitError{Msg: fmt.Sprintf("sbatch answered %q, expected a job id", strings.TrimSpace(string(out)))}
	}
	if err := appendLine(filepath.Join(dir, "jobs"), id+"\t"+array); err != nil {
		return err
	}
	progress := s.Progress
	if progress == nil {
		progress = io.Discard
	}
	fmt.Fprintf(progress, "submitted Slurm job %s: %d tasks (--array=%s), logs in %s\n", id, len(todo), array, filepath.Join(sw.Dir, "logs"))
	if s.Detach {
		return nil
	}
	return s.wait(ctx, sw, id, progress)
}

// wait polls squeue until job id has no task left, printing the tally when
// it changes.
func (s Slurm) wait(ctx context.Context, sw *Sweep, id string, progress io.Writer) error {
	poll := s.Poll
	if poll <= 0 {
		poll = 10 * time.Second
	}
	last, failures := "", 0
	for {
		q, err := squeue(ctx, []string{id})
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("stopped waiting: Slurm job %s keeps running (scancel %s stops it; ngs sweep --status %s shows it)", id, id, sw.Dir)
			}
			if failures++; failures >= 5 {
				return fmt.Errorf("waiting for Slurm job %s: %v", id, err)
			}
		} else {
			failures = 0
			if len(q.tasks) == 0 {
				return nil
			}
			if sts, err := sw.Status(ctx); err == nil {
				if line := CountLine(sts); line != last {
					fmt.Fprintf(progress, "job %s: %s\n", id, line)
					last = line
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting: Slurm job %s keeps running (scancel %s stops it; ngs sweep --status %s shows it)", id, id, sw.Dir)
		case <-time.After(poll):
		}
	}
}

// ArrayRange writes the task IDs as a Slurm array list: "0-8", "1,4-6".
func ArrayRange(tasks []Task) string {
	ids := make([]int, len(tasks))
	for i, t := range tasks {
		ids[i] = t.ID
	}
	slices.Sort(ids)
	var parts []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", ids[i], ids[j]))
		} else {
			parts = append(parts, strconv.Itoa(ids[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// jobScript is the array's batch script: a case over SLURM_ARRAY_TASK_ID
// holding each task's ngs run command (the rows of tasks.tsv), run between
// two writes of the task's state file.
func (sw *Sweep) jobScript(ngs string) []byte {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	fmt.Fprintf(&b, "# ngs sweep %s\n", sw.Spec)
	b.WriteString("# One Slurm array task per row of tasks.tsv: SLURM_ARRAY_TASK_ID is the task.\n")
	b.WriteString("set -u\n")
	b.WriteString("id=${SLURM_ARRAY_TASK_ID:?ngs sweep: this script runs as a Slurm array task}\n")
	fmt.Fprintf(&b, "sweep=%s\n", shellQuote(sw.Dir))
	b.WriteString("case \"$id\" in\n")
	for _, t := range sw.Tasks {
		args := []string{shellQuote(ngs)}
		for _, a := range sw.Args(t) {
			args = append(args, shellQuote(a))
		}
		fmt.Fprintf(&b, "%d) name=%s; dir=%s; cmd=(%s) ;;\n", t.ID, t.Name(), shellQuote(sw.TaskDir(t)), strings.Join(args, " "))
	}
	b.WriteString("*) echo \"ngs sweep: no task $id in $sweep/tasks.tsv\" >&2; exit 2 ;;\nesac\n")
	b.WriteString(`job="${SLURM_ARRAY_JOB_ID}_${id}"
state="$sweep/state/$name"
logs="stdout=logs/$job.out
stderr=logs/$job.err"
start=$(date +%s%N)
printf 'status=running\nstart_ns=%s\nhost=%s\njob=%s\n%s\n' "$start" "$(hostname)" "$job" "$logs" > "$state.tmp" && mv -f "$state.tmp" "$state"
rm -rf -- "$dir"
"${cmd[@]}"
code=$?
end=$(date +%s%N)
status=done
[ "$code" -eq 0 ] || status=failed
printf 'status=%s\nexit=%d\nstart_ns=%s\nend_ns=%s\nhost=%s\njob=%s\n%s\n' "$status" "$code" "$start" "$end" "$(hostname)" "$job" "$logs" > "$state.tmp" && mv -f "$state.tmp" "$state"
exit "$code"
`)
	return []byte(b.String())
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// queue is what squeue lists of a sweep's jobs: array tasks by JOB_INDEX.
type queue struct {
	tasks map[string]queued
}

type queued struct{ id, state string }

// task finds a listed array task of any of the sweep's jobs by its index.
func (q queue) task(index int) (queued, bool) {
	suffix := "_" + strconv.Itoa(index)
	for k, v := range q.tasks {
		if strings.HasSuffix(k, suffix) {
			return v, true
		}
	}
	return queued{}, false
}

func (q queue) job(id string) (queued, bool) {
	v, ok := q.tasks[id]
	return v, ok
}

// slurmQueue asks squeue about the jobs submitted for the sweep. It returns
// an empty queue when none was, and an error when squeue cannot answer.
func (sw *Sweep) slurmQueue(ctx context.Context) (queue, error) {
	data, err := os.ReadFile(filepath.Join(sw.Dir, "slurm", "jobs"))
	if errors.Is(err, os.ErrNotExist) {
		return queue{}, nil
	} else if err != nil {
		return queue{}, err
	}
	var ids []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		if id, _, _ := strings.Cut(sc.Text(), "\t"); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return queue{}, nil
	}
	return squeue(ctx, ids)
}

// squeue lists the array tasks of the jobs, one per line (-r). Jobs that
// Slurm has forgotten are simply absent.
func squeue(ctx context.Context, ids []string) (queue, error) {
	q := queue{tasks: map[string]queued{}}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "squeue", "-h", "-r", "-j", strings.Join(ids, ","), "-o", "%i %T")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "Invalid job id") {
			return q, nil // every job has left Slurm's memory
		}
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:] // the last line says why (squeue: fatal: ...)
		}
		return q, fmt.Errorf("squeue: %v: %s", err, msg)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && strings.Contains(f[0], "_") {
			q.tasks[f[0]] = queued{id: f[0], state: f[1]}
		}
	}
	return q, nil
}
