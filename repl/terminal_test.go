package repl

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chzyer/readline"
)

// fakeTerminal makes readline treat a pipe as a terminal.
func fakeTerminal(cfg *readline.Config) {
	cfg.FuncIsTerminal = func() bool { return true }
	cfg.FuncMakeRaw = func() error { return nil }
	cfg.FuncExitRaw = func() error { return nil }
	cfg.FuncGetWidth = func() int { return 200 }
	cfg.FuncOnWidthChanged = func(func()) {}
}

// terminalSession runs a terminal session on keys typed into a pipe, one
// chunk at a time (readline handles one line per Readline call), and
// returns its output.
func terminalSession(t *testing.T, history string, chunks ...string) string {
	t.Helper()
	in, keys := io.Pipe()
	var out syncBuffer
	s := New(Options{In: in, Out: &out, Terminal: true, HistoryFile: history, EditorConfig: fakeTerminal})
	done := make(chan error, 1)
	go func() { done <- s.Run(t.Context()) }()
	for _, c := range chunks {
		before := strings.Count(out.String(), PromptFirst)
		io.WriteString(keys, c)
		if strings.HasSuffix(c, "\r") {
			// Wait for the next prompt: the entry ran.
			waitFor(t, "the prompt after "+strings.TrimSpace(c), func() bool {
				return strings.Count(out.String(), PromptFirst) > before || strings.HasSuffix(out.String(), PromptContinue)
			})
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the session did not end; output:\n%s", out.String())
	}
	keys.Close()
	t.Logf("terminal output: %q", out.String())
	return out.String()
}

const (
	keyUp    = "\x1b[A"
	keyCtrlC = "\x03"
	keyCtrlD = "\x04"
	keyTab   = "\t"
)

func TestTerminalHistoryPersists(t *testing.T) {
	history := filepath.Join(t.TempDir(), "sub", "history")
	out := terminalSession(t, history, "b = 20\r", "b * 2\r", keyCtrlD)
	if !strings.Contains(out, "40") {
		t.Fatalf("first session did not print 40:\n%q", out)
	}
	data, err := os.ReadFile(history)
	if err != nil {
		t.Fatalf("history file not written: %v", err)
	}
	if got := strings.Fields(strings.ReplaceAll(string(data), "\n", " | ")); strings.Join(got, " ") != "b = 20 | b * 2 |" {
		t.Errorf("history file holds %q", data)
	}
	// A new session reads the history back: Up Up recalls "b = 20",
	// then Up Up recalls "b * 2" (the recalled line was added again).
	out = terminalSession(t, history, keyUp+keyUp+"\r", keyUp+keyUp+"\r", keyCtrlD)
	if !strings.Contains(out, "40") {
		t.Errorf("recalled lines did not run b = 20 and b * 2:\n%q", out)
	}
}

func TestTerminalCtrlCClearsLineAndTabCompletes(t *testing.T) {
	out := terminalSession(t, "", "garbage(("+keyCtrlC, "fn sq(v) {\r", keyCtrlC, "rate_of_fire = 4\r", "rate_of"+keyTab+" + 1\r", keyCtrlD)
	for _, bad := range []string{"undefined", "unclosed", "error"} {
		if strings.Contains(out, bad) {
			t.Errorf("Ctrl-C did not discard the line or the open block (%q in the output):\n%q", bad, out)
		}
	}
	if !strings.Contains(out, "garbage((^C\n") || !strings.Contains(out, PromptContinue+"^C\n") {
		t.Errorf("Ctrl-C was not echoed at the prompt and the continuation prompt:\n%q", out)
	}
	if !strings.Contains(out, "5\n") {
		t.Errorf("tab completion of rate_of did not give rate_of_fire + 1 = 5:\n%q", out)
	}
}

// TestSIGINTCancelsEntry sends SIGINT to this process while an entry runs
// in a session that catches interrupts.
func TestSIGINTCancelsEntry(t *testing.T) {
	in, feed := io.Pipe()
	var out syncBuffer
	s := New(Options{In: in, Out: &out, CatchInterrupt: true})
	done := make(chan error, 1)
	go func() { done <- s.Run(t.Context()) }()
	io.WriteString(feed, "n = 0\nwhile true { n = n + 1 }\n")
	waitFor(t, "the loop to start", s.Running)
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "SIGINT to stop the loop", func() bool { return !s.Running() })
	io.WriteString(feed, "n > 0\n")
	feed.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "run stopped: cancelled") || !strings.HasSuffix(got, "true\n") {
		t.Errorf("output:\n%s", got)
	}
}
