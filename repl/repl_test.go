package repl

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ngs-lab/ngs/runtime"
	_ "github.com/ngs-lab/ngs/stdlib"
)

// runScript feeds input to a non-terminal session and returns everything
// it wrote (results and errors in order).
func runScript(t *testing.T, input string) string {
	t.Helper()
	var out bytes.Buffer
	s := New(Options{In: strings.NewReader(input), Out: &out})
	if err := s.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String()
}

func TestTranscript(t *testing.T) {
	script := filepath.Join(t.TempDir(), "lib.ngs")
	if err := os.WriteFile(script, []byte("fn twice(v) = 2 * v\nk = 5\nprint(\"loaded\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.ngs")
	if err := os.WriteFile(bad, []byte("ok = 1\nprint([1, 2][5])\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	input := strings.Join([]string{
		"x = 3",              // a statement prints nothing
		"x * 2",              // an expression prints its value
		"fn f(a) {",          // a multi-line block
		"  if a > 0 {",       //
		"    return a + x",   //
		"  }",                //
		"  return -1",        //
		"}",                  //
		"f(1)",               //
		"y = [1,",            // a bracket continues the entry
		"  2] # comment (",   //
		"y",                  //
		"z = x +",            // a trailing operator continues it
		"  1",                //
		"z",                  //
		`"hi"`,               // strings are quoted
		"zeros(2, 4)",        // tensors show shape, dtype and entries
		"print(nope)",        // an error ...
		"x + 1",              // ... and the session goes on
		"print(\"a\", 1)",    // print writes, returns nothing
		":load " + script,    //
		"twice(k)",           //
		":load " + bad,       // an error inside a loaded file shows its line
		"ok",                 //
		":reset",             //
		"x",                  // gone after :reset
		":quit",              //
		"print(\"not run\")", //
	}, "\n") + "\n"
	want := strings.Join([]string{
		"6",
		"4",
		"[1, 2]",
		"4",
		`"hi"`,
		"tensor 2x4 float32 [0 0 0 0 0 0 ...] min 0 max 0 mean 0",
		"<input 11>:1:7: undefined: nope",
		"\tprint(nope)",
		"\t      ^",
		"4",
		"a 1",
		"loaded",
		"10",
		bad + ":2:13: index 5 out of range: the length is 2",
		"\tprint([1, 2][5])",
		"\t            ^",
		"1",
		"session reset",
		"<input 16>:1:1: undefined: x",
		"\tx",
		"\t^",
	}, "\n") + "\n"
	if got := runScript(t, input); got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
}

func TestErrorInEarlierEntryShowsItsLine(t *testing.T) {
	got := runScript(t, "fn g(v) = v + undefined_later\n\ng(1)\n")
	if !strings.Contains(got, "<input 1>:1:15:") || !strings.Contains(got, "\tfn g(v) = v + undefined_later\n") {
		t.Errorf("error not shown at the function's own entry:\n%s", got)
	}
}

func TestHelpAndCommands(t *testing.T) {
	got := runScript(t, ":help range\n:help print\n:help while\nr = {a: 1}\n:help r\n:help rnage\n:hepl\n:load\n")
	for _, want := range []string{
		"range(start, stop = nil, step = 1)\n  range(stop) or range(start, stop, step = 1): a list of numbers\n",
		"print(..., sep = \" \")\n",
		"while cond { ... }\n",
		"r: record = {a: 1}\n  fields: a\n",
		"no help for \"rnage\" (did you mean \"range\"?)\n",
		"unknown command :hepl (did you mean \":help\"?)",
		":load needs a FILE\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("help output lacks %q:\n%s", want, got)
		}
	}
	index := runScript(t, ":help\n")
	for _, want := range []string{":load FILE", "zeros ", "tanh(x): elementwise", "Keywords: "} {
		if !strings.Contains(index, want) {
			t.Errorf(":help lacks %q", want)
		}
	}
}

func TestIncomplete(t *testing.T) {
	cases := map[string]bool{
		"x = 1":                    false,
		"fn f(a) {":                true,
		"fn f(a) {\n return a\n}":  false,
		"x = [1,":                  true,
		"x = [1, 2]":               false,
		"x = (1 +":                 true,
		"x = 1 +":                  true,
		"x = 1 + # comment":        true,
		"x = 1 # {":                false,
		`s = "{"`:                  false,
		`s = "\"{"`:                false,
		`s = "unterminated {`:      false,
		"x = a and":                true,
		"x = a or b":               false,
		"x = }":                    false,
		"r.":                       true,
		"x = 1 ==":                 true,
		"if x {\n} else {":         true,
		"print(\"}\") {":           true,
		"network n {\n type A {":   true,
		"network n {\n type A {}}": false,
	}
	for src, want := range cases {
		if got := Incomplete(src); got != want {
			t.Errorf("Incomplete(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestComplete(t *testing.T) {
	s := New(Options{In: strings.NewReader(""), Out: io.Discard})
	if err := s.Eval("metrics = {r2: 0.9, rmse: 0.1, inner: {slope: 1}}\nmy_rate = 2"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "fig2.ngs"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		line    string
		want    []string
		replace int
	}{
		{"pri", []string{"print"}, 3},
		{"x = zer", []string{"zeros"}, 3},
		{"whi", []string{"while"}, 3},
		{"netw", []string{"network"}, 4},
		{"print(my_", []string{"my_rate"}, 3},
		{"metrics.r", []string{"r2", "rmse"}, 1},
		{"metrics.", []string{"r2", "rmse", "inner"}, 0},
		{"metrics.inner.sl", []string{"slope"}, 2},
		{"my_rate.", nil, 0},
		{"unknown.x", nil, 1},
		{":he", []string{":help"}, 3},
		{":help ze", []string{"zeros"}, 2},
		{":load " + dir + "/fi", []string{dir + "/fig2.ngs"}, len(dir) + 3},
	}
	for _, c := range cases {
		got, n := s.Complete(c.line, len(c.line))
		if strings.Join(got, ",") != strings.Join(sortedCopy(c.want), ",") || n != c.replace {
			t.Errorf("Complete(%q) = %q, %d; want %q, %d", c.line, got, n, sortedCopy(c.want), c.replace)
		}
	}
	suffixes, n := completer{s: s}.Do([]rune("x = metrics.rm + 1"), len("x = metrics.rm"))
	if len(suffixes) != 1 || string(suffixes[0]) != "se" || n != 2 {
		t.Errorf("readline completer gave %q, %d; want [se], 2", suffixes, n)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// napRegistry adds nap(ms), which sleeps in 1 ms steps, counting them in
// progress and stopping when the context is cancelled, like a simulation
// that keeps what it recorded.
func napRegistry(progress *atomic.Int64) *runtime.Registry {
	reg := runtime.Default.Clone()
	err := reg.TryRegister(&runtime.Builtin{Name: "nap", Doc: "nap(ms): sleep, checking for cancellation",
		Params: []runtime.Param{{Name: "ms"}},
		Fn: func(c *runtime.Call) (runtime.Value, error) {
			ms, err := c.Number("ms")
			if err != nil {
				return nil, err
			}
			for i := 0; i < int(ms); i++ {
				if err := c.Ctx().Err(); err != nil {
					return nil, c.Errorf("stopped after %d steps: %v", i, err)
				}
				progress.Store(int64(i + 1))
				time.Sleep(time.Millisecond)
			}
			return runtime.Number(ms), nil
		}})
	if err != nil {
		panic(err)
	}
	return reg
}

// TestInterruptCancelsRunningEntry interrupts a script loop and a
// long-running builtin; the session keeps its state and goes on.
func TestInterruptCancelsRunningEntry(t *testing.T) {
	var progress atomic.Int64
	in, feed := io.Pipe()
	var out syncBuffer
	s := New(Options{In: in, Out: &out, Registry: napRegistry(&progress)})
	done := make(chan error, 1)
	go func() { done <- s.Run(t.Context()) }()

	io.WriteString(feed, "i = 0\nwhile true {\n  i = i + 1\n}\n")
	waitFor(t, "the loop to start", s.Running)
	time.Sleep(20 * time.Millisecond)
	if !s.Interrupt() {
		t.Fatal("Interrupt found nothing running")
	}
	waitFor(t, "the loop to stop", func() bool { return !s.Running() })

	io.WriteString(feed, "nap(60000)\n")
	waitFor(t, "nap to start", func() bool { return progress.Load() > 0 })
	s.Interrupt()
	waitFor(t, "nap to stop", func() bool { return !s.Running() })
	if steps := progress.Load(); steps < 1 || steps > 5000 {
		t.Errorf("nap ran %d steps before the interrupt stopped it", steps)
	}

	io.WriteString(feed, "i > 100\nnap(3)\n")
	feed.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"run stopped: cancelled", "nap: stopped after ", "context canceled", "true\n3\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if s.Interrupt() {
		t.Error("Interrupt reported a running entry after the session ended")
	}
}
