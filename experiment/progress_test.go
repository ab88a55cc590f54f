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
