package repl_test

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/ngs-lab/ngs/experiment"
	"github.com/ngs-lab/ngs/repl"
)

// lockedBuffer collects a session's output for a reader goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestInterruptSimulation interrupts a long simulate() in a session, as
// Ctrl-C does, and checks that the session goes on with its network.
func TestInterruptSimulation(t *testing.T) {
	in, feed := io.Pipe()
	var out lockedBuffer
	s := repl.New(repl.Options{In: in, Out: &out, OutDir: t.TempDir()})
	done := make(chan error, 1)
	go func() { done <- s.Run(t.Context()) }()
	io.WriteString(feed, `network tiny {
    neurons = 8
    type A { c = 1; s = 1; g = 1 }
    psi(u) = tanh(u)
    du/dt = -c*u + s*tanh(u) + g * sum_j W[i,j] * psi(u[j])
    W = gaussian()
    u0 = normal(0, 1)
}
`)
	io.WriteString(feed, "data = simulate(tiny, dt = 0.01, frames = 1_000_000, burnin = 0)\n")
	waitUntil(t, "simulate to start", func() bool { return s.Running() })
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if !s.Interrupt() {
		t.Fatalf("simulate finished within 100 ms; output:\n%s", out.String())
	}
	waitUntil(t, "simulate to stop", func() bool { return !s.Running() })
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("simulate took %v to stop after the interrupt", d)
	}
	io.WriteString(feed, "tiny.neurons + 1\n")
	feed.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := out.String()
	t.Logf("session output:\n%s", got)
	if !strings.Contains(got, "cancel") || !strings.HasSuffix(got, "9\n") {
		t.Errorf("output:\n%s", got)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
