package symreg

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse reads a formula in .ngs expression syntax (numbers, the variables in
// names, + - * / ^, unary minus, and calls of built-in or custom operators)
// so that printed results round-trip and callers can compare against
// formulas they write down.
func Parse(src string, names []string, custom ...*Operator) (*Expr, error) {
	p := &parser{src: src, names: names, custom: custom}
	p.next()
	root, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.tok != "" {
		return nil, p.errorf("unexpected %q after the end of the formula", p.tok)
	}
	return &Expr{Root: root, Names: append([]string(nil), names...)}, nil
}

// parser is a recursive-descent parser over a one-token lookahead.
type parser struct {
	src    string
	pos    int // offset after the current token
	start  int // offset of the current token
	tok    string
	names  []string
	custom []*Operator
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("symreg: parse %q at offset %d: %s", p.src, p.start, fmt.Sprintf(format, args...))
}

// next advances to the next token: a number, an identifier or one symbol.
func (p *parser) next() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
	p.start = p.pos
	end := p.pos
	switch {
	case end >= len(p.src):
	case isDigit(p.src[end]) || p.src[end] == '.':
		end = p.numberEnd()
	case isIdentifier(p.src[end : end+1]):
		for end < len(p.src) && isIdentifier(p.src[p.pos:end+1]) {
			end++
		}
	default:
		end++
	}
	p.tok = p.src[p.pos:end]
	p.pos = end
}

// numberEnd returns the end of the number starting at p.pos: digits and
// dots, then an optional exponent with an optional sign.
func (p *parser) numberEnd() int {
	end := p.pos
	for end < len(p.src) && (isDigit(p.src[end]) || p.src[end] == '.') {
		end++
	}
	if end < len(p.src) && (p.src[end] == 'e' || p.src[end] == 'E') {
		exp := end + 1
		if exp < len(p.src) && (p.src[exp] == '+' || p.src[exp] == '-') {
			exp++
		}
		if exp < len(p.src) && isDigit(p.src[exp]) {
			end = exp
			for end < len(p.src) && isDigit(p.src[end]) {
				end++
			}
		}
	}
	return end
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser) expr() (*Node, error) {
	left, err := p.term()
	for err == nil && (p.tok == "+" || p.tok == "-") {
		op := builtin(p.tok)
		p.next()
		var right *Node
		if right, err = p.term(); err == nil {
			left = binary(op, left, right)
		}
	}
	return left, err
}

func (p *parser) term() (*Node, error) {
	left, err := p.unary()
	for err == nil && (p.tok == "*" || p.tok == "/") {
		op := builtin(p.tok)
		p.next()
		var right *Node
		if right, err = p.unary(); err == nil {
			left = binary(op, left, right)
		}
	}
	return left, err
}

// unary handles a leading minus, which binds looser than ^ (-2^2 = -4).
func (p *parser) unary() (*Node, error) {
	if p.tok == "-" || p.tok == "+" {
		neg := p.tok == "-"
		p.next()
		x, err := p.unary()
		if err != nil || !neg {
			return x, err
		}
		if x.Kind == ConstNode {
			return constant(-x.Value), nil
		}
		return binary(mulOp, constant(-1), x), nil
	}
	return p.power()
}

func (p *parser) power() (*Node, error) {
	base, err := p.atom()
	if err != nil || p.tok != "^" {
		return base, err
	}
	p.next()
	exp, err := p.unary()
	if err != nil {
		return nil, err
	}
	return binary(powOp, base, exp), nil
}

func (p *parser) atom() (*Node, error) {
	tok := p.tok
	switch {
	case tok == "":
		return nil, p.errorf("unexpected end of formula")
	case tok == "(":
		p.next()
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.tok != ")" {
			return nil, p.errorf("expected ')', found %q", p.tok)
		}
		p.next()
		return x, nil
	case isDigit(tok[0]) || tok[0] == '.':
		v, err := strconv.ParseFloat(tok, 64)
		if err != nil {
			return nil, p.errorf("bad number %q", tok)
		}
		p.next()
		return constant(v), nil
	case isIdentifier(tok):
		p.next()
		if p.tok == "(" {
			return p.call(tok)
		}
		for i, n := range p.names {
			if n == tok {
				return variable(i), nil
			}
		}
		return nil, p.errorf("unknown variable %q; variables are %s", tok, strings.Join(p.names, ", "))
	}
	return nil, p.errorf("unexpected %q", tok)
}

// call parses the arguments of a function-call operator.
func (p *parser) call(name string) (*Node, error) {
	op := builtin(name)
	if op == nil || op.isInfix() {
		op = findCustom(p.custom, name)
	}
	if op == nil {
		return nil, p.errorf("unknown function %q", name)
	}
	p.next()
	var args []*Node
	for p.tok != ")" {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		args = append(args, x)
		if p.tok == "," {
			p.next()
		} else if p.tok != ")" {
			return nil, p.errorf("expected ',' or ')', found %q", p.tok)
		}
	}
	p.next()
	if len(args) != op.Arity {
		return nil, p.errorf("%s takes %d argument(s), got %d", name, op.Arity, len(args))
	}
	if op.Arity == 1 {
		return unary(op, args[0]), nil
	}
	return binary(op, args[0], args[1]), nil
}
