package runtime

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ngs-lab/ngs/lang"
)

// Value is any script value.
type Value interface {
	// Type names the kind of value, e.g. "number" or "tensor".
	Type() string
	// String is how print shows the value.
	String() string
}

// HasAttrs is implemented by values with fields: x.name.
type HasAttrs interface {
	Value
	Attr(name string) (Value, error)
}

// AttrNames lists a value's fields (for completion and error hints).
type AttrNames interface {
	Names() []string
}

// Callable is implemented by values that can be called like functions,
// such as a learned function fit.psi(0.5).
type Callable interface {
	Value
	CallValue(c *Call) (Value, error)
}

// Indexable is implemented by custom values that support x[i, ...].
type Indexable interface {
	Value
	Index(indices []Value) (Value, error)
}

// Number is a float64 number.
type Number float64

// String is an immutable text value.
type String string

// Bool is true or false.
type Bool bool

// Nil is the type of None, the value nil.
type Nil struct{}

// None is the nil value.
var None Value = Nil{}

// Type returns "number".
func (Number) Type() string { return "number" }

// Type returns "string".
func (String) Type() string { return "string" }

// Type returns "bool".
func (Bool) Type() string { return "bool" }

// Type returns "nil".
func (Nil) Type() string { return "nil" }

// String formats a number: integers without a decimal point, others with
// the shortest representation that round-trips.
func (n Number) String() string { return formatNumber(float64(n)) }

func formatNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	case f == math.Trunc(f) && math.Abs(f) < 1e15:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// String returns the text itself.
func (s String) String() string { return string(s) }

// String returns "true" or "false".
func (b Bool) String() string {
	if b {
		return "true"
	}
	return "false"
}

// String returns "nil".
func (Nil) String() string { return "nil" }

// List is a mutable sequence.
type List struct {
	Elems []Value
}

// NewList makes a list of the given values.
func NewList(elems ...Value) *List { return &List{Elems: elems} }

// Type returns "list".
func (*List) Type() string { return "list" }

// String shows the list as [a, b, "c"].
func (l *List) String() string {
	parts := make([]string, len(l.Elems))
	for i, e := range l.Elems {
		parts[i] = repr(e)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// repr shows strings quoted inside containers.
func repr(v Value) string {
	if s, ok := v.(String); ok {
		return strconv.Quote(string(s))
	}
	return v.String()
}

// Record is a mutable mapping from names to values that keeps the order in
// which keys were first set.
type Record struct {
	keys []string
	vals map[string]Value
}

// NewRecord makes an empty record.
func NewRecord() *Record { return &Record{vals: map[string]Value{}} }

// Type returns "record".
func (*Record) Type() string { return "record" }

// Set binds key to v, appending key if it is new.
func (r *Record) Set(key string, v Value) *Record {
	if _, ok := r.vals[key]; !ok {
		r.keys = append(r.keys, key)
	}
	r.vals[key] = v
	return r
}

// Get returns the value of key.
func (r *Record) Get(key string) (Value, bool) {
	v, ok := r.vals[key]
	return v, ok
}

// Keys returns the keys in order; the slice must not be modified.
func (r *Record) Keys() []string { return r.keys }

// Len is the number of keys.
func (r *Record) Len() int { return len(r.keys) }

// Attr returns a field, so that r.name works.
func (r *Record) Attr(name string) (Value, error) {
	if v, ok := r.vals[name]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("record has no field %q%s", name, hint(name, r.keys))
}

// Names lists the keys.
func (r *Record) Names() []string { return r.keys }

// String shows the record as {a: 1, b: "x"}.
func (r *Record) String() string {
	parts := make([]string, len(r.keys))
	for i, k := range r.keys {
		parts[i] = k + ": " + repr(r.vals[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// Tensor is a dense float32 array in row-major order.
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor allocates a zero tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// Type returns "tensor".
func (*Tensor) Type() string { return "tensor" }

// Size is the number of elements.
func (t *Tensor) Size() int { return len(t.Data) }

const maxShown = 6

// String shows the shape and the first few elements.
func (t *Tensor) String() string {
	var b strings.Builder
	b.WriteString("tensor(")
	shape := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		shape[i] = strconv.Itoa(d)
	}
	b.WriteString("[" + strings.Join(shape, "x") + "] ")
	b.WriteString("[")
	for i, v := range t.Data {
		if i == maxShown {
			b.WriteString(", ...")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(formatNumber(float64(v)))
	}
	b.WriteString("])")
	return b.String()
}

// Function is a user function: `fn name(params) = expr`, a block function
// or a lambda. Closure is the environment it was defined in.
type Function struct {
	Name    string
	Params  []lang.Param
	Expr    lang.Expr
	Body    *lang.Block
	Closure *Env
	Pos     lang.Pos
}

// Type returns "function".
func (*Function) Type() string { return "function" }

// String shows the function's name and parameters.
func (f *Function) String() string {
	names := make([]string, len(f.Params))
	for i, p := range f.Params {
		names[i] = p.Name
	}
	name := f.Name
	if name == "" {
		name = "fn"
	}
	return name + "(" + strings.Join(names, ", ") + ")"
}

// Param is a builtin's parameter. A nil Default means the argument is
// required; use None for an optional argument without a value.
type Param struct {
	Name    string
	Default Value
	Doc     string
	// Keyword parameters can only be passed by name; they follow the
	// positional ones.
	Keyword bool
	// Type is what the parameter accepts (the zero Type: anything); the
	// checker tests literal arguments against it before the script runs.
	Type lang.Type
}

// Builtin is a function implemented in Go.
type Builtin struct {
	Name string
	// Doc is a one-line description shown by :help.
	Doc string
	// Params describe the arguments, in positional order.
	Params []Param
	// Variadic accepts positional arguments beyond Params.
	Variadic bool
	// AnyNamed accepts named arguments not in Params.
	AnyNamed bool
	// Block describes the trailing block the builtin takes (its settings,
	// sub-blocks and hooks), or nil for none; the checker, :help and
	// completion read it.
	Block *lang.BlockSchema
	// Fn does the work.
	Fn func(c *Call) (Value, error)
}

// Type returns "builtin".
func (*Builtin) Type() string { return "builtin" }

// String shows <builtin NAME>.
func (b *Builtin) String() string { return "<builtin " + b.Name + ">" }

// Symbol describes the builtin to the checker.
func (b *Builtin) Symbol() lang.Symbol {
	s := lang.Symbol{Name: b.Name, Callable: true, Variadic: b.Variadic, AnyNamed: b.AnyNamed, Block: b.Block}
	for _, p := range b.Params {
		s.Params = append(s.Params, p.Name)
		s.Types = append(s.Types, p.Type)
		if !p.Keyword {
			s.Positional++
		}
		if p.Default == nil && s.Required == len(s.Params)-1 {
			s.Required++
		}
	}
	return s
}

// Truth is the truth value of v in if/while/and/or/not: false, nil, 0, ""
// and empty lists and records are false.
func Truth(v Value) bool {
	switch x := v.(type) {
	case Bool:
		return bool(x)
	case Nil:
		return false
	case Number:
		return x != 0
	case String:
		return x != ""
	case *List:
		return len(x.Elems) > 0
	case *Record:
		return x.Len() > 0
	}
	return true
}

// Equal reports whether two values are equal (deep for lists, records and
// tensors).
func Equal(a, b Value) bool {
	switch x := a.(type) {
	case Number, String, Bool, Nil:
		return a == b
	case *List:
		y, ok := b.(*List)
		if !ok || len(x.Elems) != len(y.Elems) {
			return false
		}
		for i := range x.Elems {
			if !Equal(x.Elems[i], y.Elems[i]) {
				return false
			}
		}
		return true
	case *Record:
		y, ok := b.(*Record)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.keys {
			v, ok := y.vals[k]
			if !ok || !Equal(x.vals[k], v) {
				return false
			}
		}
		return true
	case *Tensor:
		y, ok := b.(*Tensor)
		if !ok || !sameShape(x.Shape, y.Shape) {
			return false
		}
		for i := range x.Data {
			if x.Data[i] != y.Data[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// hint returns ` (did you mean "x"?)` for the closest candidate, or "".
func hint(name string, candidates []string) string {
	if best := lang.Closest(name, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}
