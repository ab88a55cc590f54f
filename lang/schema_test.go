package lang

import (
	"fmt"
	"strings"
	"testing"
)

// testNetworkSchema is a network block as a builtin would declare it: a few
// settings, named type blocks whose other settings are parameters, and
// equations that may call tanh and the block's own functions.
var testNetworkSchema = &BlockSchema{
	What: "network",
	Settings: []SettingSchema{
		{Name: "neurons", Type: Whole(1), Doc: "N"},
		{Name: "noise", Type: Number().AtLeast(0)},
		{Name: "assign", Type: OneOf("blocks", "random")},
		{Name: "W", Type: Any()},
		{Name: "u0", Type: Any()},
	},
	Blocks: map[string]*BlockSchema{"type": {What: "type block", Named: true, Params: true, Rest: Number(),
		Settings: []SettingSchema{{Name: "count", Type: Whole(0)}}}},
	Equations:     true,
	EquationFuncs: []string{"tanh", "exp"},
}

var testTrainSchema = &BlockSchema{
	What: "train block",
	Settings: []SettingSchema{{Name: "epochs", Type: Whole(1)}, {Name: "solver", Type: OneOf("adam", "alternating")},
		{Name: "net", Type: Any(), Check: checkNetCall}},
	Blocks: map[string]*BlockSchema{"lr": {What: "lr block", Settings: []SettingSchema{{Name: "W", Type: Number().AtLeast(0)}}}},
	Hooks:  &HookSchema{Units: []string{"epochs"}, Locals: []string{"epoch", "fit"}},
}

// checkNetCall is a setting's static check as a builtin would declare it:
// the value must be a call of print (a plain error, reported at the value)
// whose arguments are names (an error at the argument).
func checkNetCall(x Expr) error {
	call, ok := x.(*Call)
	if !ok || call.Name != "print" {
		return fmt.Errorf("net must be print(inputs...)")
	}
	for _, a := range call.Args {
		if _, ok := a.(*Name); !ok {
			return Errorf(a.Position(), "an input of net is a name")
		}
	}
	return nil
}

func schemaConfig() CheckConfig {
	cfg := CheckConfig{Predeclared: map[string]Symbol{
		"print":    {Name: "print", Callable: true, Variadic: true, AnyNamed: true},
		"tanh":     {Name: "tanh", Callable: true, Params: []string{"x"}, Positional: 1, Required: 1},
		"train":    {Name: "train", Callable: true, Params: []string{"model"}, Positional: 1, Required: 1, Block: testTrainSchema},
		"simulate": {Name: "simulate", Callable: true, Params: []string{"net", "frames"}, Positional: 1, Required: 1, Types: []Type{Any(), Whole(1)}},
	},
		DeclKinds: map[string][]string{"network": testLocals},
		Decls:     map[string]*BlockSchema{"network": testNetworkSchema}}
	return cfg
}

func checkErrors(t *testing.T, src string) []string {
	t.Helper()
	f, err := Parse("t.ngs", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	err = Check(f, schemaConfig())
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range err.(ErrorList) {
		out = append(out, e.Error())
	}
	return out
}

func TestSchemaChecks(t *testing.T) {
	net := "network n {\n    neurons = 10\n    type A { c = 1 }\n    du/dt = -c*u + tanh(u)\n}\n"
	cases := []struct{ name, src, want string }{
		{"ok", net + "m = 1\nfit = train(m) {\n    epochs = 2\n    lr { W = 1e-3 }\n    every 2 epochs { print(epoch, fit) }\n}\n", ""},
		{"misspelt network setting", "network n {\n    nuerons = 10\n}\n", `t.ngs:2:5: unknown setting "nuerons" in the network (did you mean neurons?)`},
		{"string for a number", "network n {\n    neurons = \"10\"\n}\n", `t.ngs:2:15: neurons must be a whole number ≥ 1, found "10"`},
		{"out of range", "network n {\n    noise = -1\n}\n", `t.ngs:2:13: noise must be a number ≥ 0, found -1`},
		{"choice", "network n {\n    assign = \"randm\"\n}\n", `t.ngs:2:14: assign must be "blocks" or "random", found "randm" (did you mean "random"?)`},
		{"type parameter must be a number", "network n {\n    type A { c = \"x\" }\n}\n", `t.ngs:2:18: c must be a number, found "x"`},
		{"type needs a name", "network n {\n    type { c = 1 }\n}\n", `t.ngs:2:5: a type needs a name: type A { ... }`},
		{"unknown block", "network n {\n    tipe A { c = 1 }\n}\n", `t.ngs:2:5: unknown block "tipe" in the network (did you mean type?)`},
		{"train setting", "m = 1\nfit = train(m) {\n    epochz = 2\n}\n", `t.ngs:3:5: unknown setting "epochz" in the train block (did you mean epochs?)`},
		{"lr group", "m = 1\nfit = train(m) {\n    lr { WW = 1 }\n}\n", `t.ngs:3:10: unknown setting "WW" in the lr block (it knows W)`},
		{"hook unit", "m = 1\nfit = train(m) {\n    every 2 steps { print(1) }\n}\n", `t.ngs:3:5: hooks of the train block run every K epochs, found unit "steps"`},
		{"script fn in an equation", "fn sq(x) = x*x\nnetwork n {\n    type A { c = 1 }\n    du/dt = -c*u + sq(u)\n}\n", `t.ngs:4:20: sq cannot be used in an equation: expected a network function or one of tanh, exp`},
		{"argument type", net + "d = simulate(n, frames = \"many\")\n", `t.ngs:6:26: simulate: frames must be a whole number ≥ 1, found "many"`},
		{"setting check, plain error", "m = 1\nfit = train(m) {\n    net = 3\n}\n", `t.ngs:3:11: net must be print(inputs...)`},
		{"setting check, positioned error", "m = 1\nfit = train(m) {\n    net = print(m, 2)\n}\n", `t.ngs:3:20: an input of net is a name`},
		{"equation in a train block", "m = 1\nfit = train(m) {\n    du/dt = -1\n}\n", `t.ngs:3:5: equations cannot appear in the train block`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := checkErrors(t, c.src)
			if c.want == "" {
				if len(got) > 0 {
					t.Fatalf("unexpected errors:\n%s", strings.Join(got, "\n"))
				}
				return
			}
			if len(got) != 1 || got[0] != c.want {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), c.want)
			}
		})
	}
}

func TestTypeDescriptions(t *testing.T) {
	cases := map[string]Type{
		"a whole number ≥ 1":                        Whole(1),
		"a number in (0, 0.01]":                     Number().Above(0).AtMost(0.01),
		`"adam" or "alternating"`:                   OneOf("adam", "alternating"),
		`a whole number ≥ 1 or "auto"`:              Whole(1).Or(OneOf("auto")),
		"true or false":                             Boolean(),
		"any value":                                 Any(),
		"a number < 0.5":                            Number().Below(0.5),
		"a coefficient or schedule(...)":            Number().Described("a coefficient or schedule(...)"),
		"a number, a string or a list":              Number().Or(Text()).Or(ListOf()),
		"a whole number in [0, 65536]":              Whole(0).AtMost(65536),
		"a number ≤ 2":                              Number().AtMost(2),
		"a value made by a builtin":                 Opaque(""),
		"the network that made the data":            Opaque("the network that made the data"),
		"a number > 0 or a value made by a builtin": Number().Above(0).Or(Opaque("")),
	}
	for want, typ := range cases {
		if got := typ.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	if ok, _ := Whole(1).Admits(KindNumber, true, 1.5, ""); ok {
		t.Error("Whole(1) admits 1.5")
	}
	if ok, _ := Number().Above(0).Admits(KindNumber, true, 0, ""); ok {
		t.Error("Above(0) admits 0")
	}
	if ok, _ := Number().Admits(KindNumber, false, 0, ""); !ok {
		t.Error("an unknown number is refused")
	}
}
