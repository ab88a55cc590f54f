package repl

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/chzyer/readline"
)

// errInterrupt is returned by a lineReader when Ctrl-C is pressed at the
// prompt.
var errInterrupt = readline.ErrInterrupt

// lineReader reads one line of input after showing a prompt.
type lineReader interface {
	ReadLine(prompt string) (string, error)
	Close() error
}

// plainReader reads lines from a pipe or file, printing the prompt (if
// any) as plain text.
type plainReader struct {
	in  *bufio.Reader
	out io.Writer
}

func (p *plainReader) ReadLine(prompt string) (string, error) {
	if prompt != "" {
		io.WriteString(p.out, prompt)
	}
	line, err := p.in.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
}

func (p *plainReader) Close() error { return nil }

// editor reads lines with chzyer/readline: line editing, history and
// completion on a terminal.
type editor struct {
	rl *readline.Instance
}

func newEditor(s *Session) (*editor, error) {
	cfg := &readline.Config{
		Prompt:            s.opts.Prompt,
		HistoryFile:       prepareHistory(s.opts.HistoryFile),
		HistoryLimit:      1000,
		HistorySearchFold: true,
		AutoComplete:      completer{s: s},
		InterruptPrompt:   "^C",
		EOFPrompt:         "\n",
		Stdout:            s.opts.Out,
		Stderr:            s.opts.Err,
	}
	if s.opts.HistoryFile == "" {
		cfg.HistoryLimit = -1
	}
	if s.opts.In != nil && s.opts.In != io.Reader(os.Stdin) {
		cfg.Stdin = io.NopCloser(s.opts.In)
	}
	if s.opts.EditorConfig != nil {
		s.opts.EditorConfig(cfg)
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return nil, err
	}
	return &editor{rl: rl}, nil
}

func (e *editor) ReadLine(prompt string) (string, error) {
	e.rl.SetPrompt(prompt)
	return e.rl.Readline()
}

func (e *editor) Close() error { return e.rl.Close() }

func newBufferedReader(r io.Reader) *bufio.Reader {
	if br, ok := r.(*bufio.Reader); ok {
		return br
	}
	return bufio.NewReader(r)
}
