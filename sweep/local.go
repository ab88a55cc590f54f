package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Local runs tasks as child processes of this one, Jobs at a time.
type Local struct {
	// Ngs is the ngs executable that runs each task.
	Ngs string
	// Jobs is how many tasks run at once (at least 1).
	Jobs int
	// Progress receives one line per task that starts or ends; nil
	// discards them.
	Progress io.Writer
}

// Run runs the tasks and waits for them. A task that fails does not stop
// the others; Run's error is for the sweep itself (its folder, a second
// sweep running in it, an interruption).
func (l Local) Run(ctx context.Context, sw *Sweep, todo []Task) error {
	unlock, err := sw.lock()
	if err != nil {
		return err
	}
	defer unlock()
	jobs := max(l.Jobs, 1)
	progress := l.Progress
	if progress == nil {
		progress = io.Discard
	}
	host, _ := os.Hostname()
	var (
		mu                          sync.Mutex
		done, failed, running, next int
		firstErr                    error
	)
	report := func(t Task, what string) {
		fmt.Fprintf(progress, "[%d/%d] %d done, %d failed, %d running · task %s (%s) %s\n",
			done+failed, len(todo), done, failed, running, t.Name(), sw.Describe(t), what)
	}
	var wg sync.WaitGroup
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next >= len(todo) || ctx.Err() != nil || firstErr != nil {
					mu.Unlock()
					return
				}
				t := todo[next]
				next++
				running++
				report(t, "started")
				mu.Unlock()
				ok, secs, err := l.runTask(ctx, sw, t, host)
				mu.Lock()
				running--
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = err
					}
				case ok:
					done++
					report(t, fmt.Sprintf("done in %.1f s", secs))
				default:
					failed++
					report(t, fmt.Sprintf("failed after %.1f s", secs))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %d of %d tasks ran; run the same ngs sweep again to run the rest", done+failed, len(todo))
	}
	return nil
}

// runTask runs one task, recording its state. ok reports whether ngs run
// succeeded; err is for a failure to run it at all.
func (l Local) runTask(ctx context.Context, sw *Sweep, t Task, host string) (ok bool, secs float64, err error) {
	dir := sw.TaskDir(t)
	if err := os.RemoveAll(dir); err != nil {
		return false, 0, err
	}
	if err := os.MkdirAll(filepath.Join(sw.Dir, "logs"), 0o755); err != nil {
		return false, 0, err
	}
	rec := record{
		"status": "running", "host": host,
		"stdout": filepath.Join("logs", t.Name()+".out"), "stderr": filepath.Join("logs", t.Name()+".err"),
	}
	stdout, err := os.Create(filepath.Join(sw.Dir, rec["stdout"]))
	if err != nil {
		return false, 0, err
	}
	defer stdout.Close()
	stderr, err := os.Create(filepath.Join(sw.Dir, rec["stderr"]))
	if err != nil {
		return false, 0, err
	}
	defer stderr.Close()
	cmd := exec.CommandContext(ctx, l.Ngs, sw.Args(t)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Interrupt the task (ngs run stops at its next check) before killing it.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return false, 0, fmt.Errorf("cannot start %s: %v", l.Ngs, err)
	}
	rec["pid"] = strconv.Itoa(cmd.Process.Pid)
	rec["start_ns"] = strconv.FormatInt(start.UnixNano(), 10)
	if err := writeRecord(sw.statePath(t), rec); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return false, 0, err
	}
	werr := cmd.Wait()
	end := time.Now()
	rec["end_ns"] = strconv.FormatInt(end.UnixNano(), 10)
	rec["exit"] = strconv.Itoa(cmd.ProcessState.ExitCode())
	rec["status"] = "done"
	if werr != nil {
		rec["status"] = "failed"
		var ee *exec.ExitError
		if errors.As(werr, &ee) {
			if ws, isWS := ee.Sys().(syscall.WaitStatus); isWS && ws.Signaled() {
				rec["error"] = "killed by signal: " + ws.Signal().String()
				if ctx.Err() != nil {
					rec["error"] = "interrupted: ngs sweep was stopped"
				}
			}
		} else {
			rec["error"] = werr.Error()
		}
	}
	if err := writeRecord(sw.statePath(t), rec); err != nil {
		return false, 0, err
	}
	return werr == nil, end.Sub(start).Seconds(), nil
}

// lock takes the sweep folder's lock, so that two local sweeps never run
// tasks of one folder at once.
func (sw *Sweep) lock() (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(sw.Dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another ngs sweep is running tasks in %s", sw.Dir)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
