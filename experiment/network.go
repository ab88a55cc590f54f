package experiment

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/runtime"
)

// NeuronType is one `type NAME { ... }` of a network: its parameters and how
// many neurons it has.
type NeuronType struct {
	Name   string
	Params map[string]float64
	// Count is the number of neurons, or -1 when Fraction or the default
	// (an equal share) decides.
	Count    int
	Fraction float64
}

// Network is the value of a `network NAME { ... }` declaration: a network
// instantiated with its wiring drawn, ready to simulate.
type Network struct {
	Name  string
	Pos   lang.Pos
	N     int
	Kinds []NeuronType
	// Types is each neuron's type index; Params each parameter per neuron.
	Types  []int
	Params map[string][]float32
	Rule   *eqn.Expr
	// W is N×N row-major, W[i*N+j] from sender j to receiver i.
	W      []float32
	U0     []float32
	U0Mean float64
	U0Std  float64
	Noise  float64
	Input  *InputSpec
	// Gain is the coupling gain g when the rule has a parameter named g and
	// all types share its value (used by the Ŵ correction); 1 otherwise.
	Gain float64
	// funcs are the network's function equations (psi(u) = ...).
	funcs map[string]*lang.FuncEq
	rule  *lang.DerivEq
}

// Type implements runtime.Value.
func (*Network) Type() string { return "network" }

// String summarises the network.
func (n *Network) String() string {
	names := make([]string, len(n.Kinds))
	for k, t := range n.Kinds {
		names[k] = t.Name
	}
	return fmt.Sprintf("<network %s: %d neurons, types %s, du/dt = %s>", n.Name, n.N, strings.Join(names, " "), n.Rule)
}

// Names lists the fields of a network.
func (n *Network) Names() []string {
	return []string{"name", "neurons", "W", "types", "type_names", "params", "noise", "rule", "gain"}
}

// Attr returns a field of the network.
func (n *Network) Attr(name string) (runtime.Value, error) {
	switch name {
	case "name":
		return runtime.String(n.Name), nil
	case "neurons":
		return runtime.Number(n.N), nil
	case "W":
		return &runtime.Tensor{Shape: []int{n.N, n.N}, Data: n.W}, nil
	case "types":
		return intTensor(n.Types), nil
	case "type_names":
		l := runtime.NewList()
		for _, t := range n.Kinds {
			l.Elems = append(l.Elems, runtime.String(t.Name))
		}
		return l, nil
	case "params":
		r := runtime.NewRecord()
		for _, p := range sortedParamNames(n.Params) {
			r.Set(p, &runtime.Tensor{Shape: []int{n.N}, Data: n.Params[p]})
		}
		return r, nil
	case "noise":
		return runtime.Number(n.Noise), nil
	case "rule":
		return runtime.String(n.Rule.String()), nil
	case "gain":
		return runtime.Number(n.Gain), nil
	}
	return nil, fmt.Errorf("a network has no field %q (fields: %s)", name, strings.Join(n.Names(), ", "))
}

func intTensor(v []int) *runtime.Tensor {
	t := runtime.NewTensor(len(v))
	for k, x := range v {
		t.Data[k] = float32(x)
	}
	return t
}

func sortedParamNames(p map[string][]float32) []string {
	names := make([]string, 0, len(p))
	for k := range p {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// networkBuilder collects the statements of a network block.
type networkBuilder struct {
	d        *runtime.DeclCall
	env      *runtime.Env
	net      *Network
	settings map[string]*lang.Setting
	assign   string
}

// declareNetwork is the handler of `network NAME { ... }`.
func declareNetwork(d *runtime.DeclCall) (runtime.Value, error) {
	b := &networkBuilder{d: d, env: runtime.NewEnv(d.Env), settings: map[string]*lang.Setting{},
		net: &Network{Name: d.Decl.Name, Pos: d.Decl.At, funcs: map[string]*lang.FuncEq{}, U0Std: 5, Gain: 1}}
	if err := b.collect(d.Decl.Block); err != nil {
		return nil, err
	}
	if err := b.build(); err != nil {
		return nil, err
	}
	return b.net, nil
}

func (b *networkBuilder) collect(block *lang.Block) error {
	var errs lang.ErrorList
	for _, s := range block.Stmts {
		switch s := s.(type) {
		case *lang.Setting:
			if prev, dup := b.settings[s.Name]; dup {
				errs = append(errs, lang.Errorf(s.At, "%s is set twice in network %s (first at line %d)", s.Name, b.net.Name, prev.At.Line))
				continue
			}
			b.settings[s.Name] = s
		case *lang.NamedBlock:
			if s.Kind != "type" {
				errs = append(errs, lang.Errorf(s.At, "unknown block %q in a network (expected type NAME { ... })", s.Kind))
				continue
			}
			if err := b.addType(s); err != nil {
				errs = append(errs, asErrors(err)...)
			}
		case *lang.FuncEq:
			b.net.funcs[s.Name] = s
		case *lang.DerivEq:
			if s.State != "u" {
				errs = append(errs, lang.Errorf(s.At, "the state of a network is u: write du/dt = ..., found d%s/dt", s.State))
				continue
			}
			if b.net.rule != nil {
				errs = append(errs, lang.Errorf(s.At, "du/dt is defined twice in network %s", b.net.Name))
				continue
			}
			b.net.rule = s
		default:
			errs = append(errs, lang.Errorf(s.Position(), "this statement cannot appear in a network block (expected settings, type blocks and equations)"))
		}
	}
	return errs.Err()
}

func asErrors(err error) lang.ErrorList {
	switch e := err.(type) {
	case lang.ErrorList:
		return e
	case *lang.Error:
		return lang.ErrorList{e}
	}
	return lang.ErrorList{&lang.Error{Msg: err.Error()}}
}

// addType evaluates a `type NAME { p = v; ... }` block.
func (b *networkBuilder) addType(s *lang.NamedBlock) error {
	t := NeuronType{Name: s.Name, Params: map[string]float64{}, Count: -1, Fraction: -1}
	for _, st := range s.Block.Stmts {
		set, ok := st.(*lang.Setting)
		if !ok {
			return lang.Errorf(st.Position(), "a type block holds only parameter settings such as c = 1")
		}
		v, err := b.number(set.Value)
		if err != nil {
			return err
		}
		switch set.Name {
		case "count":
			if v < 0 || v != math.Trunc(v) {
				return lang.Errorf(set.Value.Position(), "count must be a whole number ≥ 0, found %g", v)
			}
			t.Count = int(v)
		case "fraction":
			if v < 0 || v > 1 {
				return lang.Errorf(set.Value.Position(), "fraction must be in [0, 1], found %g", v)
			}
			t.Fraction = v
		default:
			if _, dup := t.Params[set.Name]; dup {
				return lang.Errorf(set.At, "parameter %s is set twice in type %s", set.Name, s.Name)
			}
			t.Params[set.Name] = v
		}
	}
	for _, k := range b.net.Kinds {
		if k.Name == s.Name {
			return lang.Errorf(s.At, "type %s is declared twice in network %s", s.Name, b.net.Name)
		}
	}
	b.net.Kinds = append(b.net.Kinds, t)
	return nil
}

// number evaluates an expression that must give a finite number.
func (b *networkBuilder) number(x lang.Expr) (float64, error) {
	v, err := b.d.Interp.Eval(x, b.env)
	if err != nil {
		return 0, err
	}
	n, ok := v.(runtime.Number)
	if !ok {
		return 0, lang.Errorf(x.Position(), "expected a number, found %s", v.Type())
	}
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return 0, lang.Errorf(x.Position(), "expected a finite number, found %v", float64(n))
	}
	return float64(n), nil
}

func (b *networkBuilder) build() error {
	net := b.net
	for name, s := range b.settings {
		if _, ok := networkSchema.Setting(name); !ok {
			return lang.Errorf(s.At, "unknown setting %q in the network%s (expected %s)", name,
				suggestList(name, networkSchema.SettingNames()), strings.Join(networkSchema.SettingNames(), ", "))
		}
	}
	s, ok := b.settings["neurons"]
	if !ok {
		return lang.Errorf(b.d.Decl.At, "network %s needs a size: add neurons = N", net.Name)
	}
	n, err := b.number(s.Value)
	if err != nil {
		return err
	}
	if n < 1 || n != math.Trunc(n) || n > 1<<16 {
		return lang.Errorf(s.Value.Position(), "neurons must be a whole number between 1 and 65536, found %g", n)
	}
	net.N = int(n)
	if len(net.Kinds) == 0 {
		return lang.Errorf(b.d.Decl.At, "network %s declares no neuron type: add type A { ... }", net.Name)
	}
	if net.rule == nil {
		return lang.Errorf(b.d.Decl.At, "network %s has no update rule: add du/dt = ...", net.Name)
	}
	rng, err := b.rng()
	if err != nil {
		return err
	}
	if err := b.assignTypes(rng); err != nil {
		return err
	}
	if err := b.compileRule(); err != nil {
		return err
	}
	if err := b.wiring(rng); err != nil {
		return err
	}
	if err := b.initialState(); err != nil {
		return err
	}
	if s, ok := b.settings["noise"]; ok {
		if net.Noise, err = b.number(s.Value); err != nil {
			return err
		}
		if net.Noise < 0 {
			return lang.Errorf(s.Value.Position(), "noise is a standard deviation and must be ≥ 0, found %g", net.Noise)
		}
	}
	return b.input()
}

// rng is the network's random source: from its own seed setting, or drawn
// from the script's generator (set by the seed statement).
func (b *networkBuilder) rng() (*rand.Rand, error) {
	if s, ok := b.settings["seed"]; ok {
		v, err := b.number(s.Value)
		if err != nil {
			return nil, err
		}
		return rand.New(rand.NewPCG(uint64(v), 0x9e3779b97f4a7c15)), nil
	}
	seed := b.d.Interp.Rand().Uint64()
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), nil
}

// assignTypes gives each neuron a type: contiguous blocks (the paper's) or a
// random permutation of the same counts.
func (b *networkBuilder) assignTypes(rng *rand.Rand) error {
	net := b.net
	counts, err := typeCounts(net.N, net.Kinds)
	if err != nil {
		return lang.Errorf(b.d.Decl.At, "%v", err)
	}
	net.Types = make([]int, 0, net.N)
	for k, c := range counts {
		for ; c > 0; c-- {
			net.Types = append(net.Types, k)
		}
	}
	mode := "blocks"
	if s, ok := b.settings["assign"]; ok {
		v, err := b.d.Interp.Eval(s.Value, b.env)
		if err != nil {
			return err
		}
		str, ok := v.(runtime.String)
		if !ok || (str != "blocks" && str != "random") {
			return lang.Errorf(s.Value.Position(), "assign must be \"blocks\" or \"random\", found %s", v)
		}
		mode = string(str)
	}
	if mode == "random" {
		rng.Shuffle(len(net.Types), func(i, j int) { net.Types[i], net.Types[j] = net.Types[j], net.Types[i] })
	}
	return nil
}

// typeCounts splits n neurons among the types: explicit counts first, then
// fractions, then equal shares of the rest; the remainder goes to the last
// type (SPEC §1.2) that has no explicit count, so that a count is kept.
func typeCounts(n int, kinds []NeuronType) ([]int, error) {
	counts := make([]int, len(kinds))
	left := n
	var share []int
	for k, t := range kinds {
		switch {
		case t.Count >= 0:
			counts[k] = t.Count
		case t.Fraction >= 0:
			counts[k] = int(t.Fraction * float64(n))
		default:
			share = append(share, k)
			continue
		}
		left -= counts[k]
	}
	if left < 0 {
		return nil, fmt.Errorf("the type counts add up to more than the %d neurons", n)
	}
	for _, k := range share {
		counts[k] = left / len(share)
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	if total > n {
		return nil, fmt.Errorf("the type counts add up to %d, more than the %d neurons", total, n)
	}
	last := len(counts) - 1
	for last > 0 && kinds[last].Count >= 0 {
		last--
	}
	counts[last] += n - total
	return counts, nil
}

// compileRule checks the parameters of every type and compiles du/dt.
func (b *networkBuilder) compileRule() error {
	net := b.net
	params := map[string]bool{}
	for _, t := range net.Kinds {
		for p := range t.Params {
			params[p] = true
		}
	}
	var errs lang.ErrorList
	for p := range params {
		for _, t := range net.Kinds {
			if _, ok := t.Params[p]; !ok {
				errs = append(errs, lang.Errorf(b.typePos(t.Name), "type %s is missing parameter %s (another type sets it)", t.Name, p))
			}
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	c := &equationCompiler{n: net.N, params: params, funcs: net.funcs, global: b.global}
	rule, err := c.compileRule(net.rule)
	if err != nil {
		return err
	}
	net.Rule = rule
	net.Params = map[string][]float32{}
	for _, p := range eqn.ParamNames(rule) {
		v := make([]float32, net.N)
		for i, k := range net.Types {
			v[i] = float32(net.Kinds[k].Params[p])
		}
		net.Params[p] = v
	}
	net.Gain = sharedParam(net.Kinds, "g", 1)
	return nil
}

// sharedParam is the value of parameter p if every type has the same one.
func sharedParam(kinds []NeuronType, p string, def float64) float64 {
	v, ok := kinds[0].Params[p]
	if !ok {
		return def
	}
	for _, t := range kinds[1:] {
		if t.Params[p] != v {
			return def
		}
	}
	return v
}

func (b *networkBuilder) typePos(name string) lang.Pos {
	for _, s := range b.d.Decl.Block.Stmts {
		if nb, ok := s.(*lang.NamedBlock); ok && nb.Name == name {
			return nb.At
		}
	}
	return b.d.Decl.At
}

// global resolves a name in an equation to a number bound in the script.
func (b *networkBuilder) global(name string) (float64, bool) {
	v, ok := b.env.Lookup(name)
	if !ok {
		return 0, false
	}
	n, ok := v.(runtime.Number)
	return float64(n), ok
}

// initialState reads u0: normal(mean, sd) (the default is normal(0, 5)), a
// number, or a tensor of N values.
func (b *networkBuilder) initialState() error {
	s, ok := b.settings["u0"]
	if !ok {
		return nil
	}
	if call, ok := s.Value.(*lang.Call); ok && call.Name == "normal" && call.Block == nil {
		if len(call.Args) != 2 || len(call.Named) > 0 {
			return lang.Errorf(call.At, "u0 = normal(mean, sd) takes two numbers")
		}
		mean, err := b.number(call.Args[0])
		if err != nil {
			return err
		}
		sd, err := b.number(call.Args[1])
		if err != nil {
			return err
		}
		if sd < 0 {
			return lang.Errorf(call.Args[1].Position(), "the standard deviation must be ≥ 0, found %g", sd)
		}
		b.net.U0Mean, b.net.U0Std = mean, sd
		return nil
	}
	v, err := b.d.Interp.Eval(s.Value, b.env)
	if err != nil {
		return err
	}
	switch v := v.(type) {
	case runtime.Number:
		b.net.U0 = make([]float32, b.net.N)
		for i := range b.net.U0 {
			b.net.U0[i] = float32(v)
		}
	case *runtime.Tensor:
		if len(v.Data) != b.net.N {
			return lang.Errorf(s.Value.Position(), "u0 has %d values, expected one per neuron (%d)", len(v.Data), b.net.N)
		}
		if err := nonFiniteError("u0", v.Data, v.Shape); err != nil {
			return lang.Errorf(s.Value.Position(), "%v", err)
		}
		b.net.U0 = append([]float32(nil), v.Data...)
	default:
		return lang.Errorf(s.Value.Position(), "u0 must be normal(mean, sd), a number or a tensor of N values, found %s", v.Type())
	}
	return nil
}

// suggest returns a " (did you mean X?)" hint among known names, or "".
func suggest(name string, known map[string]bool) string {
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	sort.Strings(names)
	return suggestList(name, names)
}

// suggestList returns " (did you mean X?)" for the name in names nearest
// to name, or "".
func suggestList(name string, names []string) string {
	if best := lang.Closest(name, names); best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return ""
}
