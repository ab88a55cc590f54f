// Package repl is the interactive ngs shell behind `ngs repl`.
//
// A Session keeps one interpreter whose global names persist from entry
// to entry. On a terminal it reads lines with chzyer/readline (history
// file, tab completion of names, fields and commands, Ctrl-C to clear the
// line, Ctrl-D to leave); from a pipe it reads plain lines, so that a
// session can be scripted and tested. Entries continue over several lines
// while a block or a bracket is open. An expression's value is printed
// (see Format); statements print nothing. Errors are shown with the
// source line and a caret, and the session goes on. Interrupt (wired to
// SIGINT by Options.CatchInterrupt) cancels the running entry only.
//
// Commands: :help [NAME], :load FILE, :vars, :reset, :quit.
package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"

	"github.com/chzyer/readline"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
)

// Prompts shown on a terminal.
const (
	PromptFirst    = "ngs> "
	PromptContinue = "...> "
)

// Options configure a Session.
type Options struct {
	// In is the input; nil means os.Stdin.
	In io.Reader
	// Out receives results and print output; nil means os.Stdout.
	Out io.Writer
	// Err receives errors; nil means Out.
	Err io.Writer
	// Terminal selects line editing with readline (prompts, history,
	// completion). When false, lines are read plainly and no prompt is
	// shown unless Prompt is set.
	Terminal bool
	// Prompt overrides the first-line prompt (PromptFirst on a terminal,
	// none otherwise); continuation lines use PromptContinue when a prompt
	// is shown.
	Prompt string
	// HistoryFile is where a terminal session keeps its history; "" keeps
	// none. See DefaultHistoryFile.
	HistoryFile string
	// CatchInterrupt makes Run handle SIGINT: it cancels the running entry
	// instead of ending the process.
	CatchInterrupt bool
	// Registry supplies the builtins; nil means runtime.Default.
	Registry *runtime.Registry
	// OutDir is where relative output paths of builtins resolve.
	OutDir string
	// ResolvePath, when set, validates every path a builtin opens.
	ResolvePath func(string) (string, error)
	// EditorConfig, when set, adjusts the readline configuration before
	// the editor starts (tests use it to drive a simulated terminal).
	EditorConfig func(*readline.Config)
}

// Session is one REPL session.
type Session struct {
	opts    Options
	ctx     context.Context
	interp  *runtime.Interp
	sources map[string][]byte
	entries int

	mu     sync.Mutex
	cancel context.CancelFunc // of the running entry, or nil
	// pending are the lines of an entry still open (a block or bracket),
	// which completion reads to know which block the cursor is in.
	pending []string
}

// New makes a session; call Run to start reading input.
func New(opts Options) *Session {
	if opts.In == nil {
		opts.In = os.Stdin
	}
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.Err == nil {
		opts.Err = opts.Out
	}
	if opts.Prompt == "" && opts.Terminal {
		opts.Prompt = PromptFirst
	}
	s := &Session{opts: opts, ctx: context.Background()}
	s.Reset()
	return s
}

// Reset forgets every name the session defined.
func (s *Session) Reset() {
	s.interp = runtime.NewInterp(s.ctx, runtime.RunOptions{
		Stdout: s.opts.Out, OutDir: s.opts.OutDir, Registry: s.opts.Registry, ResolvePath: s.opts.ResolvePath,
	})
	s.sources = map[string][]byte{}
}

// Interp is the session's interpreter (its globals hold what was defined).
func (s *Session) Interp() *runtime.Interp { return s.interp }

// Run reads and runs entries until the input ends, :quit, or ctx is done.
func (s *Session) Run(ctx context.Context) error {
	s.ctx = ctx
	reader, err := s.newReader()
	if err != nil {
		return err
	}
	defer reader.Close()
	if s.opts.CatchInterrupt {
		defer s.catchInterrupts()()
	}
	var pending []string
	for ctx.Err() == nil {
		line, err := reader.ReadLine(s.prompt(len(pending) > 0))
		switch {
		case errors.Is(err, errInterrupt):
			pending = nil
			s.setPending(nil)
			continue
		case errors.Is(err, io.EOF):
			if len(pending) > 0 {
				s.Eval(strings.Join(pending, "\n"))
			}
			return nil
		case err != nil:
			return err
		}
		if len(pending) == 0 && strings.HasPrefix(strings.TrimSpace(line), ":") {
			if s.command(strings.TrimSpace(line)) {
				return nil
			}
			continue
		}
		if len(pending) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		pending = append(pending, line)
		if src := strings.Join(pending, "\n"); !Incomplete(src) {
			pending = nil
			s.setPending(nil)
			s.Eval(src)
		} else {
			s.setPending(pending)
		}
	}
	return nil
}

// setPending records the open entry's lines for completion.
func (s *Session) setPending(lines []string) {
	s.mu.Lock()
	s.pending = append([]string(nil), lines...)
	s.mu.Unlock()
}

func (s *Session) newReader() (lineReader, error) {
	if s.opts.Terminal {
		return newEditor(s)
	}
	return &plainReader{in: newBufferedReader(s.opts.In), out: s.opts.Out}, nil
}

func (s *Session) prompt(continuation bool) string {
	if s.opts.Prompt == "" {
		return ""
	}
	if continuation {
		return PromptContinue
	}
	return s.opts.Prompt
}

// catchInterrupts turns SIGINT into Interrupt until the returned function
// is called.
func (s *Session) catchInterrupts() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				s.Interrupt()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// Interrupt cancels the running entry, if any, and reports whether there
// was one. The entry stops at its next step (builtins at their next
// cancellation check) and the session goes on.
func (s *Session) Interrupt() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel == nil {
		return false
	}
	s.cancel()
	return true
}

// Running reports whether an entry is running.
func (s *Session) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancel != nil
}

// Eval runs one complete entry, printing its value (if it is an
// expression with a value) or its error, and returns the error.
func (s *Session) Eval(src string) error {
	s.entries++
	name := "<input " + strconv.Itoa(s.entries) + ">"
	return s.exec(name, []byte(src))
}

// Load runs a script file in the session, as :load does.
func (s *Session) Load(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(s.opts.Err, ":load: %v\n", err)
		return err
	}
	return s.exec(path, src)
}

// exec runs src under a context that Interrupt cancels.
func (s *Session) exec(name string, src []byte) error {
	ctx, cancel := context.WithCancel(s.ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
		cancel()
	}()
	s.sources[name] = src
	s.interp.SetContext(ctx)
	v, err := s.interp.ExecSource(name, src)
	if err != nil {
		fmt.Fprint(s.opts.Err, s.render(err))
		return err
	}
	if v != nil && v != runtime.None {
		fmt.Fprintln(s.opts.Out, Format(v))
	}
	return nil
}

// render formats err with the source of the entry each position is in
// (a function defined earlier fails with a position in its own entry).
func (s *Session) render(err error) string {
	var list lang.ErrorList
	var single *lang.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &single):
		list = lang.ErrorList{single}
	default:
		return err.Error() + "\n"
	}
	var b strings.Builder
	for _, e := range list {
		b.WriteString(lang.Render(e, s.sources[e.Pos.File]))
	}
	return b.String()
}

// command runs a REPL command line; it returns true for :quit.
func (s *Session) command(line string) (quit bool) {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case ":quit", ":q", ":exit":
		return true
	case ":help", ":h", ":?":
		s.help(s.opts.Out, arg)
	case ":load", ":l":
		if arg == "" {
			fmt.Fprintln(s.opts.Err, ":load needs a FILE")
			break
		}
		s.Load(arg)
	case ":reset":
		s.Reset()
		fmt.Fprintln(s.opts.Out, "session reset")
	case ":vars":
		s.listVars()
	default:
		fmt.Fprintf(s.opts.Err, "unknown command %s%s; commands: %s\n", name,
			didYouMean(name, commandNames()), strings.Join(commandNames(), " "))
	}
	return false
}

// listVars prints the session's names with their types and values.
func (s *Session) listVars() {
	g := s.interp.Globals()
	for _, name := range g.Names() {
		v, _ := g.Local(name)
		fmt.Fprintf(s.opts.Out, "%s: %s = %s\n", name, v.Type(), Format(v))
	}
}
