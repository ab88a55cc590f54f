package experiment

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ngs-lab/ngs/runtime"
)

// progressBar draws a one-line progress bar on a terminal (redrawn in place)
// or, when the output is a file or a pipe, prints a line each time another
// tenth of the work is done or a minute has passed since the last line
// (so that the log of a long run shows it is alive and when it will end). Each
// shows the time elapsed and, once some of the work is done, an estimate of
// the time left at the average rate so far ("ETA 3m20s").
type progressBar struct {
	// sink, when set, is the host's progress callback: it receives every
	// update and nothing is drawn.
	sink     func(runtime.Progress)
	w        io.Writer
	label    string
	tty      bool
	start    time.Time
	last     time.Time
	lastFrac float64
}

func newProgressBar(c *runtime.Call, label string) *progressBar {
	if sink := c.Interp.Progress(); sink != nil {
		return &progressBar{sink: sink, label: label, start: time.Now()}
	}
	tty := false
	if fi, err := os.Stderr.Stat(); err == nil {
		tty = fi.Mode()&os.ModeCharDevice != 0
	}
	return &progressBar{w: os.Stderr, label: label, tty: tty, start: time.Now()}
}

// update shows done of total with an optional status text.
func (p *progressBar) update(done, total int, status string) {
	if total <= 0 {
		return
	}
	if p.sink != nil {
		p.sink(runtime.Progress{Task: p.label, Done: done, Total: total, Status: status})
		return
	}
	frac := float64(done) / float64(total)
	now := time.Now()
	if p.tty {
		if now.Sub(p.last) < 100*time.Millisecond && done < total {
			return
		}
		const width = 30
		fill := int(frac * width)
		fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %s %s\033[K", p.label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill),
			100*frac, p.timing(now, frac), status)
	} else {
		// (with a little slack: 3/10 is below 2/10 + 1/10 in floating point)
		if frac < p.lastFrac+logStep-1e-9 && now.Sub(p.last) < logEvery && done < total {
			return
		}
		p.lastFrac = frac
		fmt.Fprintf(p.w, "%s %3.0f%% %s %s\n", p.label, 100*frac, p.timing(now, frac), status)
	}
	p.last = now
}

// logStep and logEvery are how much more work, or how much more time,
// brings the next progress line when the output is not a terminal.
const (
	logStep  = 0.1
	logEvery = time.Minute
)

// timing returns the time elapsed and, while the work is under way, the
// estimated time left: elapsed × (1 − frac) / frac.
func (p *progressBar) timing(now time.Time, frac float64) string {
	elapsed := now.Sub(p.start)
	text := elapsed.Round(100 * time.Millisecond).String()
	if frac > 0 && frac < 1 {
		left := time.Duration(float64(elapsed) * (1 - frac) / frac)
		text += " ETA " + roundETA(left).String()
	}
	return text
}

// roundETA rounds an estimate to what it can mean: tenths of a second
// under 10 s, whole seconds under 10 min, whole minutes beyond.
func roundETA(d time.Duration) time.Duration {
	switch {
	case d < 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d < 10*time.Minute:
		return d.Round(time.Second)
	}
	return d.Round(time.Minute)
}

// done ends the bar's line.
func (p *progressBar) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

// interrupt clears the bar's line on a terminal so that a message printed
// next starts on a clean line (the bar is redrawn by the next update).
func (p *progressBar) interrupt() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
