package lang

import (
	"errors"
	"fmt"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Parse parses src into a File. The error, when not nil, is an ErrorList
// of positioned errors.
func Parse(filename string, src []byte) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, ErrorList{{Pos: Pos{File: filename, Line: 1, Col: 1},
				Msg: fmt.Sprintf("internal error: bug in ngs parser: %v", r), Internal: true}}
		}
	}()
	toks, lerr := lex(filename, src)
	if lerr != nil {
		return nil, ErrorList{lerr}
	}
	if len(toks) == 1 {
		return nil, ErrorList{{Pos: Pos{File: filename, Line: 1, Col: 1}, Msg: "empty script: there is nothing to run"}}
	}
	peek, uerr := lexer.Upgrade(&sliceLexer{toks: toks})
	if uerr != nil {
		return nil, ErrorList{{Pos: Pos{File: filename, Line: 1, Col: 1}, Msg: uerr.Error()}}
	}
	tree, perr := grammar.ParseFromLexer(peek)
	if perr != nil {
		return nil, ErrorList{syntaxError(filename, perr)}
	}
	c := &converter{file: filename}
	f = &File{Name: filename, Src: src, Stmts: c.stmts(tree.Stmts, CodeBlock, true)}
	if len(c.errs) > 0 {
		c.errs.Sort()
		return nil, c.errs
	}
	return f, nil
}

// ParseExpr parses a single expression, e.g. the VALUE of --set NAME=VALUE.
func ParseExpr(filename string, src []byte) (Expr, error) {
	f, err := Parse(filename, src)
	if err != nil {
		return nil, err
	}
	if len(f.Stmts) != 1 {
		return nil, ErrorList{Errorf(Pos{File: filename, Line: 1, Col: 1}, "expected one expression, found %d statements", len(f.Stmts))}
	}
	s, ok := f.Stmts[0].(*ExprStmt)
	if !ok {
		return nil, ErrorList{Errorf(f.Stmts[0].Position(), "expected an expression, found a statement")}
	}
	return s.X, nil
}

// syntaxError turns a participle error into a positioned *Error with a
// message in this package's words.
func syntaxError(filename string, err error) *Error {
	var pe participle.Error
	if errors.As(err, &pe) {
		pos := toPos(pe.Position())
		if pos.File == "" {
			pos.File = filename
		}
		return &Error{Pos: pos, Msg: "syntax error: " + cleanMessage(pe.Message())}
	}
	return &Error{Pos: Pos{File: filename, Line: 1, Col: 1}, Msg: "syntax error: " + err.Error()}
}
