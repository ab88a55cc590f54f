package lang

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Error is a positioned error in a script: a syntax, check or runtime error.
type Error struct {
	Pos Pos
	Msg string
	// Internal marks a recovered failure of ngs itself (a bug, not a script
	// error); it renders as one line without the source excerpt.
	Internal bool
}

// Error returns FILE:LINE:COL: message.
func (e *Error) Error() string {
	if !e.Pos.IsValid() {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// Errorf returns a positioned error.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// ErrorList is every error found in a file, sorted by position.
type ErrorList []*Error

// Error joins the errors, one per line.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Sort orders the errors by file offset.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Pos.Line != l[j].Pos.Line {
			return l[i].Pos.Line < l[j].Pos.Line
		}
		return l[i].Pos.Col < l[j].Pos.Col
	})
}

// Err returns nil for an empty list and the list otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Render formats err for a user: each positioned error as
// FILE:LINE:COL: message, then the source line and a caret under the
// column (when src holds that line). Internal errors are one line.
func Render(err error, src []byte) string {
	var list ErrorList
	var single *Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &single):
		list = ErrorList{single}
	default:
		return err.Error()
	}
	var b strings.Builder
	for _, e := range list {
		b.WriteString(e.Error())
		b.WriteByte('\n')
		if e.Internal || !e.Pos.IsValid() {
			continue
		}
		if line, ok := sourceLine(src, e.Pos.Line); ok {
			writeExcerpt(&b, line, e.Pos.Col)
		}
	}
	return b.String()
}

const maxExcerpt = 160

// writeExcerpt writes the line (shortened around col when long) and a caret.
func writeExcerpt(b *strings.Builder, line []byte, col int) {
	start := 0
	if col > maxExcerpt {
		start = col - maxExcerpt/2
	}
	end := len(line)
	if end > start+maxExcerpt {
		end = start + maxExcerpt
	}
	if start > len(line) {
		start = len(line)
	}
	shown := line[start:end]
	b.WriteString("\t")
	b.WriteString(strings.ToValidUTF8(strings.Map(printable, string(shown)), "?"))
	b.WriteString("\n\t")
	for i := 0; i < col-1-start && i < len(shown); i++ {
		if shown[i] == '\t' {
			b.WriteByte('\t')
		} else if shown[i] < 0x80 || shown[i] >= 0xC0 {
			b.WriteByte(' ')
		}
	}
	b.WriteString("^\n")
}

func printable(r rune) rune {
	if r == '\t' || r >= ' ' && r != 0x7f {
		return r
	}
	return '?'
}

// sourceLine returns line n (1-based) of src without its newline (and
// without a leading byte order mark, which the lexer skips too).
func sourceLine(src []byte, n int) ([]byte, bool) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	for i := 1; i < n; i++ {
		k := bytes.IndexByte(src, '\n')
		if k < 0 {
			return nil, false
		}
		src = src[k+1:]
	}
	if k := bytes.IndexByte(src, '\n'); k >= 0 {
		src = src[:k]
	}
	return bytes.TrimSuffix(src, []byte("\r")), true
}

func itoa(n int) string { return strconv.Itoa(n) }
