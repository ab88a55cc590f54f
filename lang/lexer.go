package lang

import (
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Limits that keep hostile input linear and the parser's recursion bounded.
const (
	// MaxLineLength is the longest accepted source line, in bytes.
	MaxLineLength = 256 << 10
	// MaxFileSize is the largest accepted source file, in bytes. Scripts
	// are small; the parser handles about 0.5 MB/s, so this bounds the
	// worst case to a few seconds.
	MaxFileSize = 2 << 20
	// MaxNesting is the deepest accepted nesting of ( [ { brackets.
	MaxNesting = 200
)

// Token types of the lexer, as named in the grammar.
const (
	tokIdent lexer.TokenType = -(iota + 2)
	tokKeyword
	tokNumber
	tokString
	tokSep
	tokPunct
)

// tokenSymbols names the token types; a function because participle calls
// it while package variables are still being initialised.
func tokenSymbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF":     lexer.EOF,
		"Ident":   tokIdent,
		"Keyword": tokKeyword,
		"Number":  tokNumber,
		"String":  tokString,
		"Sep":     tokSep,
		"Punct":   tokPunct,
	}
}

// Keywords are reserved words: they cannot name variables.
var Keywords = map[string]bool{
	"fn": true, "const": true, "if": true, "else": true, "for": true, "in": true,
	"while": true, "break": true, "continue": true, "return": true,
	"and": true, "or": true, "not": true, "true": true, "false": true, "nil": true,
	"sum_j": true,
}

// continuesLine lists the tokens after which a newline does not end a statement.
var continuesLine = map[string]bool{
	"+": true, "-": true, "*": true, "/": true, "%": true, "^": true,
	"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
	"=": true, ",": true, ":": true, ".": true, "(": true, "[": true, "{": true,
	"and": true, "or": true, "not": true,
}

// tokenDefinition adapts the pre-lexed tokens to participle.
type tokenDefinition struct{}

// Symbols names the token types for the grammar.
func (tokenDefinition) Symbols() map[string]lexer.TokenType { return tokenSymbols() }

// Lex lexes r in one pass; participle calls it for Parse on a reader.
func (tokenDefinition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	toks, lerr := lex(filename, src)
	if lerr != nil {
		return nil, lerr
	}
	return &sliceLexer{toks: toks}, nil
}

// sliceLexer hands out tokens lexed beforehand.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

// Next returns the next token, repeating EOF at the end.
func (s *sliceLexer) Next() (lexer.Token, error) {
	if s.i >= len(s.toks) {
		return s.toks[len(s.toks)-1], nil
	}
	t := s.toks[s.i]
	s.i++
	return t, nil
}

// scanner is the state of one lexing pass.
type scanner struct {
	file      string
	src       []byte
	off       int
	line, col int
	toks      []lexer.Token
	brackets  []lexer.Token
}

// lex turns src into tokens, ending with EOF, or returns the first lexical
// error. It runs in time linear in len(src).
func lex(filename string, src []byte) ([]lexer.Token, *Error) {
	if err := checkShape(filename, src); err != nil {
		return nil, err
	}
	s := &scanner{file: filename, src: src, line: 1, col: 1}
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		s.off = 3 // a UTF-8 byte order mark, as some editors write
	}
	for s.off < len(s.src) {
		if err := s.next(); err != nil {
			return nil, err
		}
	}
	if n := len(s.brackets); n > 0 {
		open := s.brackets[n-1]
		return nil, Errorf(toPos(open.Pos), "unclosed %q: no matching %q before the end of the file", open.Value, closerOf(open.Value))
	}
	s.emit(lexer.EOF, "", s.pos())
	return s.toks, nil
}

// checkShape rejects invalid UTF-8, NUL bytes, over-long lines and
// over-large files before any token is made.
func checkShape(filename string, src []byte) *Error {
	line, lineStart := 1, 0
	for i := 0; i < len(src); {
		c := src[i]
		if c == '\n' {
			line++
			lineStart = i + 1
			i++
			continue
		}
		if i-lineStart >= MaxLineLength {
			return &Error{Pos: Pos{File: filename, Offset: i, Line: line, Col: i - lineStart + 1},
				Msg: fmt.Sprintf("line too long: lines may hold at most %d bytes", MaxLineLength)}
		}
		if c < utf8.RuneSelf {
			if c == 0 {
				return &Error{Pos: Pos{File: filename, Offset: i, Line: line, Col: i - lineStart + 1},
					Msg: "invalid NUL byte: this looks like a binary file, not an .ngs script"}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return &Error{Pos: Pos{File: filename, Offset: i, Line: line, Col: i - lineStart + 1},
				Msg: fmt.Sprintf("invalid UTF-8 byte 0x%02x: scripts must be UTF-8 text", c)}
		}
		i += size
	}
	if len(src) > MaxFileSize {
		return &Error{Pos: Pos{File: filename, Offset: 0, Line: 1, Col: 1},
			Msg: fmt.Sprintf("file too large: %d bytes, the limit is %d", len(src), MaxFileSize)}
	}
	return nil
}

func toPos(p lexer.Position) Pos {
	return Pos{File: p.Filename, Offset: p.Offset, Line: p.Line, Col: p.Column}
}

func (s *scanner) pos() lexer.Position {
	return lexer.Position{Filename: s.file, Offset: s.off, Line: s.line, Column: s.col}
}

func (s *scanner) errorf(p lexer.Position, format string, args ...any) *Error {
	return Errorf(toPos(p), format, args...)
}

// advance moves over n bytes that contain no newline.
func (s *scanner) advance(n int) {
	s.off += n
	s.col += n
}

func (s *scanner) emit(t lexer.TokenType, value string, p lexer.Position) {
	s.toks = append(s.toks, lexer.Token{Type: t, Value: value, Pos: p})
}

func (s *scanner) last() *lexer.Token {
	if len(s.toks) == 0 {
		return nil
	}
	return &s.toks[len(s.toks)-1]
}

// next lexes one token or skips one run of blanks or a comment.
func (s *scanner) next() *Error {
	c := s.src[s.off]
	switch {
	case c == ' ' || c == '\t' || c == '\r':
		s.advance(1)
	case c == '\n':
		s.newline()
	case c == '#':
		for s.off < len(s.src) && s.src[s.off] != '\n' {
			s.advance(1)
		}
	case c == ';':
		s.separator(s.pos(), ";")
		s.advance(1)
	case c == '"':
		return s.str()
	case isDigit(c) || c == '.' && s.off+1 < len(s.src) && isDigit(s.src[s.off+1]):
		return s.number()
	case c == '_' || c < utf8.RuneSelf && unicode.IsLetter(rune(c)):
		s.ident()
	case c >= utf8.RuneSelf:
		r, _ := utf8.DecodeRune(s.src[s.off:])
		if unicode.IsLetter(r) {
			s.ident()
			return nil
		}
		return s.errorf(s.pos(), "unexpected character %q (U+%04X)", r, r)
	default:
		return s.punct()
	}
	return nil
}

// newline ends a statement unless inside ( ) or [ ], or after an operator.
func (s *scanner) newline() {
	p := s.pos()
	s.off++
	s.line++
	s.col = 1
	if n := len(s.brackets); n > 0 && s.brackets[n-1].Value != "{" {
		return
	}
	if l := s.last(); l != nil && (l.Type == tokPunct || l.Type == tokKeyword) && continuesLine[l.Value] {
		return
	}
	s.separator(p, "\n")
}

func (s *scanner) separator(p lexer.Position, v string) {
	if l := s.last(); l == nil || l.Type == tokSep {
		return
	}
	s.emit(tokSep, v, p)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentByte(c byte) bool {
	return c == '_' || isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (s *scanner) ident() {
	p := s.pos()
	start := s.off
	for s.off < len(s.src) {
		c := s.src[s.off]
		if isIdentByte(c) {
			s.advance(1)
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s.src[s.off:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				s.advance(size)
				continue
			}
		}
		break
	}
	word := string(s.src[start:s.off])
	if Keywords[word] {
		s.emit(tokKeyword, word, p)
		return
	}
	s.emit(tokIdent, word, p)
}

// number lexes 42, 3.5, .5, 1e-3 and 100_000.
func (s *scanner) number() *Error {
	p := s.pos()
	start := s.off
	digits := func() bool {
		n := 0
		for s.off < len(s.src) && (isDigit(s.src[s.off]) || s.src[s.off] == '_') {
			s.advance(1)
			n++
		}
		return n > 0
	}
	digits()
	if s.off < len(s.src) && s.src[s.off] == '.' && s.off+1 < len(s.src) && isDigit(s.src[s.off+1]) {
		s.advance(1)
		digits()
	}
	if s.off < len(s.src) && (s.src[s.off] == 'e' || s.src[s.off] == 'E') {
		s.advance(1)
		if s.off < len(s.src) && (s.src[s.off] == '+' || s.src[s.off] == '-') {
			s.advance(1)
		}
		if !digits() {
			return s.errorf(p, "malformed number %q: the exponent has no digits", string(s.src[start:s.off]))
		}
	}
	raw := string(s.src[start:s.off])
	if s.off < len(s.src) && (isIdentByte(s.src[s.off]) || s.src[s.off] >= utf8.RuneSelf) {
		return s.errorf(p, "malformed number %q: a letter follows the digits directly", raw+string(s.src[s.off]))
	}
	if !validUnderscores(raw) {
		return s.errorf(p, "malformed number %q: '_' must sit between two digits", raw)
	}
	s.emit(tokNumber, raw, p)
	return nil
}

func validUnderscores(raw string) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '_' {
			continue
		}
		if i == 0 || i == len(raw)-1 || !isDigit(raw[i-1]) || !isDigit(raw[i+1]) {
			return false
		}
	}
	return true
}

// str lexes a double-quoted string; its value is unquoted by the parser.
func (s *scanner) str() *Error {
	p := s.pos()
	start := s.off
	s.advance(1)
	for {
		if s.off >= len(s.src) || s.src[s.off] == '\n' {
			return s.errorf(p, "unterminated string: no closing '\"' on this line")
		}
		c := s.src[s.off]
		if c == '\\' && s.off+1 < len(s.src) && s.src[s.off+1] != '\n' {
			s.advance(2)
			continue
		}
		s.advance(1)
		if c == '"' {
			break
		}
	}
	s.emit(tokString, string(s.src[start:s.off]), p)
	return nil
}

var twoCharOps = map[string]bool{"==": true, "!=": true, "<=": true, ">=": true}

const oneCharOps = "+-*/%^<>=()[]{},:."

// punct lexes operators and brackets, tracking bracket nesting.
func (s *scanner) punct() *Error {
	p := s.pos()
	if s.off+1 < len(s.src) && twoCharOps[string(s.src[s.off:s.off+2])] {
		s.emit(tokPunct, string(s.src[s.off:s.off+2]), p)
		s.advance(2)
		return nil
	}
	c := s.src[s.off]
	if !containsByte(oneCharOps, c) {
		return s.errorf(p, "unexpected character %q%s", rune(c), punctHint(c))
	}
	tok := lexer.Token{Type: tokPunct, Value: string(c), Pos: p}
	switch c {
	case '(', '[', '{':
		if len(s.brackets) >= MaxNesting {
			return s.errorf(p, "too deeply nested: more than %d levels of brackets", MaxNesting)
		}
		s.brackets = append(s.brackets, tok)
	case ')', ']', '}':
		if err := s.close(tok); err != nil {
			return err
		}
	}
	s.toks = append(s.toks, tok)
	s.advance(1)
	return nil
}

func (s *scanner) close(tok lexer.Token) *Error {
	n := len(s.brackets)
	if n == 0 {
		return s.errorf(tok.Pos, "unexpected %q: nothing is open here", tok.Value)
	}
	open := s.brackets[n-1]
	if want := closerOf(open.Value); want != tok.Value {
		return s.errorf(tok.Pos, "unexpected %q: expected %q to close %q at %d:%d", tok.Value, want, open.Value, open.Pos.Line, open.Pos.Column)
	}
	s.brackets = s.brackets[:n-1]
	return nil
}

func closerOf(open string) string {
	switch open {
	case "(":
		return ")"
	case "[":
		return "]"
	}
	return "}"
}

func containsByte(set string, c byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

func punctHint(c byte) string {
	switch c {
	case '&':
		return " (use 'and')"
	case '|':
		return " (use 'or')"
	case '!':
		return " (use 'not' or '!=')"
	case '\'':
		return " (strings use double quotes)"
	}
	return ""
}
