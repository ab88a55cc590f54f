package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// The checks that builtin schemas drive: settings, sub-blocks, equations
// and hooks of a block, and the values of settings and builtin arguments.

// setting checks a setting against its block's schema: a name the block
// does not know is reported with a "did you mean", a literal value of the
// wrong type or out of range with what the setting accepts.
func (c *checker) setting(s *scope, st *Setting) {
	if s.kind != scopeSettings || s.schema == nil {
		return
	}
	schema := s.schema
	f, ok := schema.Setting(st.Name)
	switch {
	case ok:
		c.value(st.Value, f.Type, st.Name)
		if f.Check != nil {
			if err := f.Check(st.Value); err != nil {
				if le, isLang := err.(*Error); isLang {
					c.errs = append(c.errs, le)
				} else {
					c.errorf(st.Value.Position(), "%v", err)
				}
			}
		}
	case schema.Open || schema.Params:
		c.value(st.Value, schema.Rest, st.Name)
	default:
		msg := fmt.Sprintf("unknown setting %q in the %s", st.Name, schema.What)
		if best := Closest(st.Name, append(schema.SettingNames(), schema.BlockNames()...)); best != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", best)
		} else if names := schema.SettingNames(); len(names) <= 10 {
			msg += fmt.Sprintf(" (it knows %s)", strings.Join(names, ", "))
		} else {
			msg += fmt.Sprintf(" (:help lists the %d settings it knows)", len(names))
		}
		c.errorf(st.At, "%s", msg)
	}
}

// value reports a literal value that t does not admit; what names the
// setting or argument.
func (c *checker) value(e Expr, t Type, what string) {
	k, known, num, str := staticValue(e)
	if ok, msg := t.Admits(k, known, num, str); !ok {
		c.errorf(e.Position(), "%s %s, found %s%s", what, msg, describeLiteral(e, k), t.Hint(str))
	}
}

func describeLiteral(e Expr, k Kinds) string {
	if kk, known, num, _ := staticValue(e); kk == KindNumber && known {
		return strconv.FormatFloat(num, 'g', -1, 64)
	}
	switch e := e.(type) {
	case *StringLit:
		return strconv.Quote(e.Value)
	case *BoolLit:
		return strconv.FormatBool(e.Value)
	}
	switch k {
	case KindNumber:
		return "a number"
	case KindString:
		return "a string"
	case KindBool:
		return "a truth value"
	case KindList:
		return "a list"
	case KindRecord:
		return "a record"
	}
	return "a value"
}

// subBlock returns the schema of a named sub-block (lr { }, type A { }),
// reporting one the enclosing block does not know.
func (c *checker) subBlock(s *scope, nb *NamedBlock) *BlockSchema {
	if s.kind != scopeSettings || s.schema == nil {
		return nil
	}
	sub := s.schema.Blocks[nb.Kind]
	if sub == nil {
		msg := fmt.Sprintf("unknown block %q in the %s", nb.Kind, s.schema.What)
		names := s.schema.BlockNames()
		if best := Closest(nb.Kind, append(names, s.schema.SettingNames()...)); best != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", best)
		} else if len(names) > 0 {
			msg += fmt.Sprintf(" (it knows %s)", strings.Join(names, ", "))
		} else {
			msg += " (it holds no blocks)"
		}
		c.errorf(nb.At, "%s", msg)
		return nil
	}
	if sub.Named && nb.Name == "" {
		c.errorf(nb.At, "a %s needs a name: %s A { ... }", nb.Kind, nb.Kind)
	}
	return sub
}

// equationAllowed reports an equation in a block whose schema has none.
func (c *checker) equationAllowed(s *scope, pos Pos) {
	if s.kind == scopeSettings && s.schema != nil && !s.schema.Equations {
		c.errorf(pos, "equations cannot appear in the %s", s.schema.What)
	}
}

// hook checks `every K UNIT { ... }`: the block's schema must allow hooks
// in that unit; the hook's body may use the hook's locals (epoch, fit).
func (c *checker) hook(s *scope, ev *Every) {
	var info *declInfo
	if s.kind == scopeSettings && s.schema != nil {
		h := s.schema.Hooks
		switch {
		case h == nil:
			c.errorf(ev.At, "the %s takes no every-hooks", s.schema.What)
		case !contains(h.Units, ev.Unit):
			c.errorf(ev.At, "hooks of the %s run every K %s, found unit %q", s.schema.What, h.Units[0], ev.Unit)
		default:
			info = &declInfo{locals: h.Locals}
		}
	}
	c.settings(s, ev.Block, nil, info, nil)
}

// equationCall reports a call inside an equation to a function the
// equations cannot use (a script fn, a builtin that is not an equation
// function).
func (c *checker) equationCall(s *scope, call *Call) {
	net := networkOf(s)
	if net == nil || net.funcs == nil || call.Name == "" || net.funcs[call.Name] {
		return
	}
	c.errorf(call.At, "%s cannot be used in an equation: expected a %s function or one of %s",
		call.Name, net.kind, strings.Join(net.allowed, ", "))
}
