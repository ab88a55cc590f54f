package lang

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Kinds is a set of value kinds a setting or parameter accepts, combined
// with |. The zero value accepts anything.
type Kinds uint8

// The value kinds a Type can name.
const (
	KindNumber Kinds = 1 << iota
	KindString
	KindBool
	KindList
	KindRecord
	// KindOther is a value only builtins make: a network, a dataset, a fit,
	// a schedule, a function.
	KindOther
)

// Type is what a setting or builtin parameter accepts: its kinds, and for
// numbers an optional range and wholeness, for strings an optional list of
// choices. Builtins declare Types where they are registered; the checker
// tests literal values against them before a script runs, and the
// builtins test the values they receive with the same Type at run time.
type Type struct {
	Kinds Kinds
	// Whole requires a whole number.
	Whole bool
	// Min and Max bound numbers where HasMin and HasMax are set; MinOpen
	// and MaxOpen exclude the bound itself.
	Min, Max                         float64
	HasMin, HasMax, MinOpen, MaxOpen bool
	// Enum, when not empty, lists the strings accepted.
	Enum []string
	// Desc, when set, replaces the generated description in messages (for
	// kinds like "a schedule" that Kinds cannot name).
	Desc string
}

// Any accepts every value.
func Any() Type { return Type{} }

// Number accepts any number.
func Number() Type { return Type{Kinds: KindNumber} }

// Whole accepts whole numbers ≥ least.
func Whole(least float64) Type { return Number().AtLeast(least).WholeOnly() }

// Text accepts any string.
func Text() Type { return Type{Kinds: KindString} }

// OneOf accepts the strings listed.
func OneOf(choices ...string) Type { return Type{Kinds: KindString, Enum: choices} }

// Boolean accepts true or false.
func Boolean() Type { return Type{Kinds: KindBool} }

// ListOf accepts a list.
func ListOf() Type { return Type{Kinds: KindList} }

// Opaque accepts a value only builtins make, described by desc (for
// example "the network that made the data").
func Opaque(desc string) Type { return Type{Kinds: KindOther, Desc: desc} }

// AtLeast bounds numbers below, inclusive.
func (t Type) AtLeast(x float64) Type { t.Min, t.HasMin, t.MinOpen = x, true, false; return t }

// Above bounds numbers below, exclusive.
func (t Type) Above(x float64) Type { t.Min, t.HasMin, t.MinOpen = x, true, true; return t }

// AtMost bounds numbers above, inclusive.
func (t Type) AtMost(x float64) Type { t.Max, t.HasMax, t.MaxOpen = x, true, false; return t }

// Below bounds numbers above, exclusive.
func (t Type) Below(x float64) Type { t.Max, t.HasMax, t.MaxOpen = x, true, true; return t }

// WholeOnly requires numbers to be whole.
func (t Type) WholeOnly() Type { t.Whole = true; return t }

// Or adds the kinds (and string choices) of u to t.
func (t Type) Or(u Type) Type {
	t.Kinds |= u.Kinds
	t.Enum = append(append([]string(nil), t.Enum...), u.Enum...)
	if u.Desc != "" && t.Desc == "" {
		t.Desc = u.Desc
	}
	return t
}

// Described replaces the description used in messages.
func (t Type) Described(desc string) Type { t.Desc = desc; return t }

// String describes the type as messages use it: "a whole number ≥ 1",
// "\"adam\" or \"alternating\"", "a number or \"auto\"".
func (t Type) String() string {
	if t.Desc != "" {
		return t.Desc
	}
	var parts []string
	if t.Kinds&KindNumber != 0 {
		parts = append(parts, t.numberString())
	}
	if t.Kinds&KindString != 0 {
		if len(t.Enum) == 0 {
			parts = append(parts, "a string")
		} else {
			for _, e := range t.Enum {
				parts = append(parts, strconv.Quote(e))
			}
		}
	}
	if t.Kinds&KindBool != 0 {
		parts = append(parts, "true or false")
	}
	if t.Kinds&KindList != 0 {
		parts = append(parts, "a list")
	}
	if t.Kinds&KindRecord != 0 {
		parts = append(parts, "a record")
	}
	if t.Kinds&KindOther != 0 {
		parts = append(parts, "a value made by a builtin")
	}
	switch len(parts) {
	case 0:
		return "any value"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

func (t Type) numberString() string {
	s := "a number"
	if t.Whole {
		s = "a whole number"
	}
	g := func(x float64) string {
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	switch {
	case t.HasMin && t.HasMax:
		lo, hi := "[", "]"
		if t.MinOpen {
			lo = "("
		}
		if t.MaxOpen {
			hi = ")"
		}
		return fmt.Sprintf("%s in %s%s, %s%s", s, lo, g(t.Min), g(t.Max), hi)
	case t.HasMin && t.MinOpen:
		return fmt.Sprintf("%s > %s", s, g(t.Min))
	case t.HasMin:
		return fmt.Sprintf("%s ≥ %s", s, g(t.Min))
	case t.HasMax && t.MaxOpen:
		return fmt.Sprintf("%s < %s", s, g(t.Max))
	case t.HasMax:
		return fmt.Sprintf("%s ≤ %s", s, g(t.Max))
	}
	return s
}

// Admits reports whether a value of kind k is accepted; num is its value
// for a number and str for a string (known is false when the value is not
// known, only its kind). The message says what was expected.
func (t Type) Admits(k Kinds, known bool, num float64, str string) (ok bool, msg string) {
	if t.Kinds == 0 || k == 0 {
		return true, ""
	}
	if t.Kinds&k == 0 {
		return false, "must be " + t.String()
	}
	if !known {
		return true, ""
	}
	switch k {
	case KindNumber:
		bad := math.IsNaN(num) ||
			t.Whole && num != math.Trunc(num) ||
			t.HasMin && (num < t.Min || t.MinOpen && num == t.Min) ||
			t.HasMax && (num > t.Max || t.MaxOpen && num == t.Max)
		if bad {
			return false, "must be " + t.String()
		}
	case KindString:
		if len(t.Enum) > 0 && !contains(t.Enum, str) {
			return false, "must be " + t.String()
		}
	}
	return true, ""
}

// Hint returns " (did you mean "x"?)" when str is near one of the strings
// t accepts, else "".
func (t Type) Hint(str string) string {
	if best := Closest(str, t.Enum); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SettingSchema is one setting of a block or one parameter of a builtin: its name,
// the values it accepts and a one-line doc.
type SettingSchema struct {
	Name string
	Type Type
	Doc  string
	// Check, when set, checks the setting's value expression beyond its
	// type (the inputs of psi = mlp(u[j], ...)); the checker reports its
	// error at the error's position, or at the value for a plain error.
	Check func(value Expr) error
}

// HookSchema describes the `every K UNIT { ... }` hooks a block may hold.
// A hook's body is code; it may use Locals besides the script's names.
type HookSchema struct {
	Units  []string
	Locals []string
	Doc    string
}

// BlockSchema describes what a settings block may hold: a declaration's
// block (network, model) or a builtin's trailing block (train). Builtins
// declare it where they are registered; lang knows no neurons.
type BlockSchema struct {
	// What names the block in messages ("train block", "network").
	What string
	// Doc is a one-line description for :help.
	Doc string
	// Settings are the settings the block knows.
	Settings []SettingSchema
	// Open accepts settings not listed in Settings.
	Open bool
	// Rest is what settings not listed in Settings accept, where Open or
	// Params lets them in.
	Rest Type
	// Params marks a block (a neuron type) whose open settings are
	// parameters that the enclosing block's equations may use. The checker
	// reports a parameter used in an equation that some such blocks do not
	// define.
	Params bool
	// Blocks are the sub-blocks by keyword (lr { }, type A { }).
	Blocks map[string]*BlockSchema
	// Named, on a sub-block, requires it to have a name: type A { }.
	Named bool
	// Equations lets the block hold function equations and dX/dt = ...;
	// EquationFuncs are the functions they may call besides the block's own
	// function equations (none listed: any).
	Equations     bool
	EquationFuncs []string
	// Hooks, when set, allows every K UNIT { ... } blocks.
	Hooks *HookSchema
}

// Setting returns the field called name.
func (b *BlockSchema) Setting(name string) (SettingSchema, bool) {
	for _, f := range b.Settings {
		if f.Name == name {
			return f, true
		}
	}
	return SettingSchema{}, false
}

// SettingNames lists the settings' names in declaration order.
func (b *BlockSchema) SettingNames() []string {
	out := make([]string, len(b.Settings))
	for i, f := range b.Settings {
		out[i] = f.Name
	}
	return out
}

// BlockNames lists the sub-block keywords, sorted.
func (b *BlockSchema) BlockNames() []string {
	out := make([]string, 0, len(b.Blocks))
	for k := range b.Blocks {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Describe writes the schema for :help, one setting a line.
func (b *BlockSchema) Describe(indent string) string {
	var sb strings.Builder
	for _, f := range b.Settings {
		fmt.Fprintf(&sb, "%s%s: %s", indent, f.Name, f.Type)
		if f.Doc != "" {
			fmt.Fprintf(&sb, " — %s", f.Doc)
		}
		sb.WriteByte('\n')
	}
	for _, k := range b.BlockNames() {
		sub := b.Blocks[k]
		head := k + " { }"
		if sub.Named {
			head = k + " NAME { }"
		}
		if sub.Doc != "" {
			head += " — " + sub.Doc
		}
		fmt.Fprintf(&sb, "%s%s\n", indent, head)
		sb.WriteString(sub.Describe(indent + "    "))
	}
	if b.Hooks != nil {
		fmt.Fprintf(&sb, "%severy K %s { ... }", indent, b.Hooks.Units[0])
		if b.Hooks.Doc != "" {
			fmt.Fprintf(&sb, " — %s", b.Hooks.Doc)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// staticValue returns what the checker knows of an expression's value
// before running: its kind (0 when unknown), and for a constant number or
// string its value.
func staticValue(e Expr) (k Kinds, known bool, num float64, str string) {
	switch e := e.(type) {
	case *NumberLit:
		return KindNumber, true, e.Value, ""
	case *StringLit:
		return KindString, true, 0, e.Value
	case *BoolLit:
		return KindBool, true, 0, ""
	case *ListLit:
		return KindList, false, 0, ""
	case *RecordLit:
		return KindRecord, false, 0, ""
	case *Unary:
		xk, xknown, x, _ := staticValue(e.X)
		switch {
		case e.Op == "-" && xk == KindNumber:
			return KindNumber, xknown, -x, ""
		case e.Op == "+" && xk == KindNumber:
			return KindNumber, xknown, x, ""
		case e.Op == "not":
			return KindBool, false, 0, ""
		}
	case *Binary:
		xk, _, _, _ := staticValue(e.X)
		yk, _, _, _ := staticValue(e.Y)
		switch e.Op {
		case "-", "*", "/", "%", "^":
			if xk == KindNumber && yk == KindNumber {
				return KindNumber, false, 0, ""
			}
		case "==", "!=", "<", "<=", ">", ">=":
			return KindBool, false, 0, ""
		}
	}
	return 0, false, 0, ""
}
