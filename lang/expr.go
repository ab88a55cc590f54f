package lang

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// MaxExprDepth bounds the depth of one expression tree (operator chains,
// unary prefixes, nested calls), so that later tree walks cannot exhaust
// the stack.
const MaxExprDepth = 2000

// exprParser parses one expression by precedence climbing over participle's
// peeking lexer. Every method returns the node and the depth of its tree.
type exprParser struct {
	lex *lexer.PeekingLexer
	// nest counts the prefix operators being parsed, so that a long run
	// of them is rejected before it deepens the recursion.
	nest int
}

// parseExpression is the participle custom production for Expr. It returns
// participle.NextMatch when no expression starts here.
func parseExpression(lex *lexer.PeekingLexer) (Expr, error) {
	if !startsExpr(lex.Peek()) {
		return nil, participle.NextMatch
	}
	p := &exprParser{lex: lex}
	e, _, err := p.expr()
	if err != nil {
		return nil, err
	}
	return e, nil
}

func startsExpr(t *lexer.Token) bool {
	switch t.Type {
	case tokNumber, tokString, tokIdent:
		return true
	case tokKeyword:
		switch t.Value {
		case "true", "false", "nil", "not", "sum_j", "fn":
			return true
		}
	case tokPunct:
		switch t.Value {
		case "(", "[", "{", "-", "+":
			return true
		}
	}
	return false
}

func (p *exprParser) peek() *lexer.Token { return p.lex.Peek() }

func (p *exprParser) is(value string) bool {
	t := p.lex.Peek()
	return (t.Type == tokPunct || t.Type == tokKeyword) && t.Value == value
}

func (p *exprParser) errorf(t *lexer.Token, format string, args ...any) error {
	return participle.Errorf(t.Pos, format, args...)
}

func (p *exprParser) expect(value string) (*lexer.Token, error) {
	t := p.lex.Peek()
	if !p.is(value) {
		return nil, p.errorf(t, "expected %q, found %s", value, describe(t))
	}
	return p.lex.Next(), nil
}

// describe names a token for an error message.
func describe(t *lexer.Token) string {
	switch t.Type {
	case lexer.EOF:
		return "end of file"
	case tokSep:
		if t.Value == ";" {
			return "\";\""
		}
		return "end of line"
	case tokString:
		return "string " + t.Value
	case tokNumber:
		return "number " + t.Value
	case tokIdent:
		return "name " + strconv.Quote(t.Value)
	case tokKeyword:
		return "keyword " + strconv.Quote(t.Value)
	}
	return strconv.Quote(t.Value)
}

// enter counts one level of prefix nesting at t; leave undoes it.
func (p *exprParser) enter(t *lexer.Token) error {
	p.nest++
	return p.deeper(t, p.nest)
}

func (p *exprParser) leave() { p.nest-- }

func (p *exprParser) deeper(t *lexer.Token, depth int) error {
	if depth > MaxExprDepth {
		return p.errorf(t, "expression too deeply nested (more than %d levels)", MaxExprDepth)
	}
	return nil
}

func (p *exprParser) expr() (Expr, int, error) { return p.or() }

// binaryLevel parses a left-associative chain of the operators ops over next.
func (p *exprParser) binaryLevel(ops map[string]bool, next func() (Expr, int, error)) (Expr, int, error) {
	x, dx, err := next()
	if err != nil {
		return nil, 0, err
	}
	for {
		t := p.peek()
		if (t.Type != tokPunct && t.Type != tokKeyword) || !ops[t.Value] {
			return x, dx, nil
		}
		p.lex.Next()
		y, dy, err := next()
		if err != nil {
			return nil, 0, err
		}
		dx = max(dx, dy) + 1
		if err := p.deeper(t, dx); err != nil {
			return nil, 0, err
		}
		x = &Binary{At: toPos(t.Pos), Op: t.Value, X: x, Y: y}
	}
}

var (
	orOps  = map[string]bool{"or": true}
	andOps = map[string]bool{"and": true}
	cmpOps = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}
	addOps = map[string]bool{"+": true, "-": true}
	mulOps = map[string]bool{"*": true, "/": true, "%": true}
)

func (p *exprParser) or() (Expr, int, error)  { return p.binaryLevel(orOps, p.and) }
func (p *exprParser) and() (Expr, int, error) { return p.binaryLevel(andOps, p.not) }

func (p *exprParser) not() (Expr, int, error) {
	if !p.is("not") {
		return p.comparison()
	}
	t := p.lex.Next()
	if err := p.enter(t); err != nil {
		return nil, 0, err
	}
	defer p.leave()
	x, d, err := p.not()
	if err != nil {
		return nil, 0, err
	}
	if err := p.deeper(t, d+1); err != nil {
		return nil, 0, err
	}
	return &Unary{At: toPos(t.Pos), Op: "not", X: x}, d + 1, nil
}

// comparison is non-associative: a < b < c is an error.
func (p *exprParser) comparison() (Expr, int, error) {
	x, dx, err := p.additive()
	if err != nil {
		return nil, 0, err
	}
	t := p.peek()
	if t.Type != tokPunct || !cmpOps[t.Value] {
		return x, dx, nil
	}
	p.lex.Next()
	y, dy, err := p.additive()
	if err != nil {
		return nil, 0, err
	}
	if t2 := p.peek(); t2.Type == tokPunct && cmpOps[t2.Value] {
		return nil, 0, p.errorf(t2, "comparisons do not chain: write a %s b and b %s c", t.Value, t2.Value)
	}
	return &Binary{At: toPos(t.Pos), Op: t.Value, X: x, Y: y}, max(dx, dy) + 1, nil
}

func (p *exprParser) additive() (Expr, int, error) { return p.binaryLevel(addOps, p.multiplicative) }

func (p *exprParser) multiplicative() (Expr, int, error) {
	return p.binaryLevel(mulOps, p.sum)
}

// sum parses `sum_j TERM`, where TERM is the following multiplicative chain.
func (p *exprParser) sum() (Expr, int, error) {
	if !p.is("sum_j") {
		return p.unary()
	}
	t := p.lex.Next()
	if err := p.enter(t); err != nil {
		return nil, 0, err
	}
	defer p.leave()
	x, d, err := p.multiplicative()
	if err != nil {
		return nil, 0, err
	}
	if err := p.deeper(t, d+1); err != nil {
		return nil, 0, err
	}
	return &SumJ{At: toPos(t.Pos), Term: x}, d + 1, nil
}

func (p *exprParser) unary() (Expr, int, error) {
	if !p.is("-") && !p.is("+") {
		return p.power()
	}
	t := p.lex.Next()
	if err := p.enter(t); err != nil {
		return nil, 0, err
	}
	defer p.leave()
	x, d, err := p.unary()
	if err != nil {
		return nil, 0, err
	}
	if err := p.deeper(t, d+1); err != nil {
		return nil, 0, err
	}
	return &Unary{At: toPos(t.Pos), Op: t.Value, X: x}, d + 1, nil
}

// power is right-associative and binds tighter than unary minus on its
// left: -2^2 == -4, while 2^-1 == 0.5.
func (p *exprParser) power() (Expr, int, error) {
	x, dx, err := p.postfix()
	if err != nil {
		return nil, 0, err
	}
	if !p.is("^") {
		return x, dx, nil
	}
	t := p.lex.Next()
	if err := p.enter(t); err != nil {
		return nil, 0, err
	}
	defer p.leave()
	y, dy, err := p.unary()
	if err != nil {
		return nil, 0, err
	}
	d := max(dx, dy) + 1
	if err := p.deeper(t, d); err != nil {
		return nil, 0, err
	}
	return &Binary{At: toPos(t.Pos), Op: "^", X: x, Y: y}, d, nil
}

func (p *exprParser) postfix() (Expr, int, error) {
	x, d, err := p.atom()
	if err != nil {
		return nil, 0, err
	}
	for {
		t := p.peek()
		switch {
		case p.is("("):
			x, d, err = p.call(x, d)
		case p.is("["):
			x, d, err = p.index(x, d)
		case p.is("."):
			p.lex.Next()
			name := p.peek()
			if name.Type != tokIdent {
				return nil, 0, p.errorf(name, "expected a field name after \".\", found %s", describe(name))
			}
			p.lex.Next()
			x, d = &Field{At: toPos(name.Pos), X: x, Name: name.Value}, d+1
		default:
			return x, d, nil
		}
		if err == nil {
			err = p.deeper(t, d)
		}
		if err != nil {
			return nil, 0, err
		}
	}
}

// call parses the argument list of fn: positional arguments, then named.
func (p *exprParser) call(fn Expr, depth int) (Expr, int, error) {
	open := p.lex.Next()
	c := &Call{At: toPos(open.Pos), Fn: fn}
	if n, ok := fn.(*Name); ok {
		c.Name = n.Name
		c.At = n.At
	}
	for !p.is(")") {
		if len(c.Args)+len(c.Named) > 0 {
			if _, err := p.expect(","); err != nil {
				return nil, 0, err
			}
			if p.is(")") {
				break
			}
		}
		t := p.peek()
		if t.Type == tokIdent && p.nextIsAssign() {
			p.lex.Next()
			p.lex.Next()
			v, d, err := p.argument()
			if err != nil {
				return nil, 0, err
			}
			depth = max(depth, d)
			c.Named = append(c.Named, NamedArg{At: toPos(t.Pos), Name: t.Value, Value: v})
			continue
		}
		if len(c.Named) > 0 {
			return nil, 0, p.errorf(t, "positional argument after named arguments")
		}
		v, d, err := p.argument()
		if err != nil {
			return nil, 0, err
		}
		depth = max(depth, d)
		c.Args = append(c.Args, v)
	}
	p.lex.Next()
	return c, depth + 1, nil
}

// nextIsAssign reports whether the token after the next one is "=".
func (p *exprParser) nextIsAssign() bool {
	cp := p.lex.MakeCheckpoint()
	defer p.lex.LoadCheckpoint(cp)
	p.lex.Next()
	t := p.lex.Peek()
	return t.Type == tokPunct && t.Value == "="
}

func (p *exprParser) argument() (Expr, int, error) {
	if !startsExpr(p.peek()) {
		t := p.peek()
		return nil, 0, p.errorf(t, "expected an expression, found %s", describe(t))
	}
	return p.expr()
}

// index parses x[i], x[i, j] and the slice x[lo:hi].
func (p *exprParser) index(x Expr, depth int) (Expr, int, error) {
	open := p.lex.Next()
	pos := toPos(open.Pos)
	var lo Expr
	if !p.is(":") {
		e, d, err := p.argument()
		if err != nil {
			return nil, 0, err
		}
		lo, depth = e, max(depth, d)
	}
	if p.is(":") {
		p.lex.Next()
		var hi Expr
		if !p.is("]") {
			e, d, err := p.argument()
			if err != nil {
				return nil, 0, err
			}
			hi, depth = e, max(depth, d)
		}
		if _, err := p.expect("]"); err != nil {
			return nil, 0, err
		}
		return &Slice{At: pos, X: x, Lo: lo, Hi: hi}, depth + 1, nil
	}
	idx := &Index{At: pos, X: x, Indices: []Expr{lo}}
	for p.is(",") {
		p.lex.Next()
		e, d, err := p.argument()
		if err != nil {
			return nil, 0, err
		}
		idx.Indices = append(idx.Indices, e)
		depth = max(depth, d)
	}
	if _, err := p.expect("]"); err != nil {
		return nil, 0, err
	}
	return idx, depth + 1, nil
}

func (p *exprParser) atom() (Expr, int, error) {
	t := p.peek()
	pos := toPos(t.Pos)
	switch t.Type {
	case tokNumber:
		p.lex.Next()
		v, err := strconv.ParseFloat(strings.ReplaceAll(t.Value, "_", ""), 64)
		if err != nil {
			return nil, 0, p.errorf(t, "number %s is out of range", t.Value)
		}
		return &NumberLit{At: pos, Value: v, Raw: t.Value}, 1, nil
	case tokString:
		p.lex.Next()
		v, err := strconv.Unquote(t.Value)
		if err != nil {
			return nil, 0, p.errorf(t, "invalid escape sequence in string %s", t.Value)
		}
		return &StringLit{At: pos, Value: v}, 1, nil
	case tokIdent:
		p.lex.Next()
		return &Name{At: pos, Name: t.Value}, 1, nil
	}
	switch {
	case p.is("true"), p.is("false"):
		p.lex.Next()
		return &BoolLit{At: pos, Value: t.Value == "true"}, 1, nil
	case p.is("nil"):
		p.lex.Next()
		return &NilLit{At: pos}, 1, nil
	case p.is("("):
		p.lex.Next()
		x, d, err := p.argument()
		if err != nil {
			return nil, 0, err
		}
		if _, err := p.expect(")"); err != nil {
			return nil, 0, err
		}
		return x, d, nil
	case p.is("["):
		return p.list()
	case p.is("{"):
		return p.record()
	case p.is("fn"):
		return p.lambda()
	}
	return nil, 0, p.errorf(t, "expected an expression, found %s", describe(t))
}

func (p *exprParser) list() (Expr, int, error) {
	open := p.lex.Next()
	l := &ListLit{At: toPos(open.Pos)}
	depth := 0
	for !p.is("]") {
		if len(l.Elems) > 0 {
			if _, err := p.expect(","); err != nil {
				return nil, 0, err
			}
			if p.is("]") {
				break
			}
		}
		e, d, err := p.argument()
		if err != nil {
			return nil, 0, err
		}
		l.Elems = append(l.Elems, e)
		depth = max(depth, d)
	}
	p.lex.Next()
	return l, depth + 1, nil
}

func (p *exprParser) skipSeps() {
	for p.peek().Type == tokSep {
		p.lex.Next()
	}
}

// record parses {key: value, ...}; newlines between fields are allowed.
func (p *exprParser) record() (Expr, int, error) {
	open := p.lex.Next()
	r := &RecordLit{At: toPos(open.Pos)}
	depth := 0
	seen := map[string]bool{}
	for p.skipSeps(); !p.is("}"); p.skipSeps() {
		if len(r.Fields) > 0 {
			if _, err := p.expect(","); err != nil {
				return nil, 0, err
			}
			if p.skipSeps(); p.is("}") {
				break
			}
		}
		key := p.peek()
		if key.Type != tokIdent && key.Type != tokString {
			return nil, 0, p.errorf(key, "expected a record key (a name or a string), found %s", describe(key))
		}
		p.lex.Next()
		name := key.Value
		if key.Type == tokString {
			name, _ = strconv.Unquote(key.Value)
		}
		if seen[name] {
			return nil, 0, p.errorf(key, "duplicate record key %q", name)
		}
		seen[name] = true
		if _, err := p.expect(":"); err != nil {
			return nil, 0, err
		}
		v, d, err := p.argument()
		if err != nil {
			return nil, 0, err
		}
		r.Fields = append(r.Fields, RecordField{At: toPos(key.Pos), Key: name, Value: v})
		depth = max(depth, d)
	}
	p.lex.Next()
	return r, depth + 1, nil
}

// lambda parses fn(a, b = 1) = expr.
func (p *exprParser) lambda() (Expr, int, error) {
	kw := p.lex.Next()
	if _, err := p.expect("("); err != nil {
		return nil, 0, err
	}
	var params []Param
	for !p.is(")") {
		if len(params) > 0 {
			if _, err := p.expect(","); err != nil {
				return nil, 0, err
			}
		}
		name := p.peek()
		if name.Type != tokIdent {
			return nil, 0, p.errorf(name, "expected a parameter name, found %s", describe(name))
		}
		p.lex.Next()
		prm := Param{At: toPos(name.Pos), Name: name.Value}
		if p.is("=") {
			p.lex.Next()
			v, _, err := p.argument()
			if err != nil {
				return nil, 0, err
			}
			prm.Default = v
		}
		params = append(params, prm)
	}
	p.lex.Next()
	if _, err := p.expect("="); err != nil {
		return nil, 0, err
	}
	body, d, err := p.argument()
	if err != nil {
		return nil, 0, err
	}
	return &Lambda{At: toPos(kw.Pos), Params: params, Body: body}, d + 1, nil
}
