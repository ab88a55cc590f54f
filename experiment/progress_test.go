package experiment

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// A progress line gives the time elapsed and, while the work is under way,
// the time left at the average rate so far.
func TestProgressETA(t *testing.T) {
	var out bytes.Buffer
	p := &progressBar{w: &out, label: "simulate big", start: time.Now().Add(-30 * time.Second)}
	p.update(250, 1000, "")
	line := out.String()
	if !strings.HasPrefix(line, "simulate big  25% 30") || !strings.Contains(line, " ETA 1m30s") {
		t.Errorf("25%% after 30 s: %q, want elapsed 30s and ETA 1m30s", line)
	}
	out.Reset()
	p.update(1000, 1000, "done")
	if line := out.String(); strings.Contains(line, "ETA") || !strings.Contains(line, "100%") {
		t.Errorf("finished: %q", line)
	}
	for _, c := range []struct{ in, want time.Duration }{{3210 * time.Millisecond, 3200 * time.Millisecond},
		{123400 * time.Millisecond, 123 * time.Second}, {2*time.Hour + 10*time.Minute + 31*time.Second, 2*time.Hour + 11*time.Minute}} {
		if got := roundETA(c.in); got != c.want {
			t.Errorf("roundETA(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// In a log (not a terminal) a line comes with each further tenth of the work,
// or after a minute without one, and not for every update.
func TestProgressLogLines(t *testing.T) {
	var out bytes.Buffer
	p := &progressBar{w: &out, label: "train gnn", start: time.Now()}
	for done := 1; done <= 1000; done++ {
		p.update(done, 1000, "")
	}
	if n := strings.Count(out.String(), "\n"); n != 11 {
		t.Errorf("%d lines for 1000 quick updates, want the first and one per tenth (11):\n%s", n, out.String())
	}
	// Ten steps (the report's sections) give ten lines, 3/10 included,
	// which floating point puts just below 2/10 + 1/10.
	out.Reset()
	p = &progressBar{w: &out, label: "report", start: time.Now()}
	for done := 1; done <= 10; done++ {
		p.update(done, 10, "")
	}
	if n := strings.Count(out.String(), "\n"); n != 10 {
		t.Errorf("%d lines for 10 steps, want 10:\n%s", n, out.String())
	}
	out.Reset()
	p = &progressBar{w: &out, label: "train gnn", start: time.Now()}
	p.update(1, 1000, "")
	p.last = time.Now().Add(-2 * time.Minute) // a minute and more without a line
	p.update(2, 1000, "")
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Errorf("%d lines, want 2 (the first, then one after a quiet minute):\n%s", n, out.String())
	}
}
