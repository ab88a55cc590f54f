package experiment

import (
	"fmt"
	"math"
	"strings"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/nn"
	"github.com/ngs-lab/ngs/ops/npy"
	"github.com/ngs-lab/ngs/runtime"
)

// ModelDecl is the value of a `model NAME { ... }` declaration: the shape of
// a GNN, without its size, which train takes from the data.
type ModelDecl struct {
	Name string
	Pos  lang.Pos
	Spec gnn.ModelSpec
	// OmegaNeurons is the number of input neurons of Ω* (0 without Ω*).
	OmegaNeurons int
	// OmegaX and OmegaY are the grid positions of the input neurons read
	// from siren(..., positions = "file.npy"); nil means the input's own
	// layout (the movie's pixels, or a square grid).
	OmegaX, OmegaY []float32
}

// Type implements runtime.Value.
func (*ModelDecl) Type() string { return "model" }

// String summarises the model.
func (m *ModelDecl) String() string {
	s := m.Spec
	out := fmt.Sprintf("<model %s: variant %s, embedding %d, phi %d×%d %s, psi %d×%d %s", m.Name, s.Variant, s.EmbeddingDim,
		s.Phi.Layers, s.Phi.Hidden, s.Phi.Activation, s.Psi.Layers, s.Psi.Hidden, s.Psi.Activation)
	if s.Omega != nil {
		out += fmt.Sprintf(", omega siren on %d input neurons (%s)", m.OmegaNeurons, s.Omega.Mode)
	}
	return out + ">"
}

// Names lists the fields of a model.
func (m *ModelDecl) Names() []string { return []string{"name", "variant", "embedding"} }

// Attr returns a field.
func (m *ModelDecl) Attr(name string) (runtime.Value, error) {
	switch name {
	case "name":
		return runtime.String(m.Name), nil
	case "variant":
		return runtime.String(m.Spec.Variant), nil
	case "embedding":
		return runtime.Number(m.Spec.EmbeddingDim), nil
	}
	return nil, fmt.Errorf("a model has no field %q (fields: %s)", name, strings.Join(m.Names(), ", "))
}

// declareModel is the handler of `model NAME { ... }`.
func declareModel(d *runtime.DeclCall) (runtime.Value, error) {
	m := &ModelDecl{Name: d.Decl.Name, Pos: d.Decl.At}
	m.Spec.EmbeddingDim = 2
	env := runtime.NewEnv(d.Env)
	inputMode := ""
	var inputAt lang.Pos
	for _, s := range d.Decl.Block.Stmts {
		set, ok := s.(*lang.Setting)
		if !ok {
			return nil, lang.Errorf(s.Position(), "a model block holds settings: embedding = 2, psi = mlp(...), phi = mlp(...), omega = siren(...), input = \"multiplicative\"")
		}
		var err error
		switch set.Name {
		case "embedding":
			var v float64
			if v, err = evalNumber(d.Interp, set.Value, env); err == nil {
				if v < 1 || v != float64(int(v)) {
					return nil, lang.Errorf(set.Value.Position(), "embedding must be a whole number ≥ 1, found %g", v)
				}
				m.Spec.EmbeddingDim = int(v)
			}
		case "psi":
			err = m.psi(d.Interp, set, env)
		case "phi":
			err = m.phi(d.Interp, set, env)
		case "omega":
			err = m.omega(d.Interp, set, env)
		case "input":
			inputAt = set.Value.Position()
			var v runtime.Value
			if v, err = d.Interp.Eval(set.Value, env); err == nil {
				str, ok := v.(runtime.String)
				if !ok || (str != "multiplicative" && str != "additive") {
					return nil, lang.Errorf(inputAt, "input must be \"multiplicative\" or \"additive\", found %s", v)
				}
				inputMode = string(str)
			}
		default:
			return nil, lang.Errorf(set.At, "unknown setting %q in the model%s (expected %s)", set.Name,
				suggestList(set.Name, modelSchema.SettingNames()), strings.Join(modelSchema.SettingNames(), ", "))
		}
		if err != nil {
			return nil, err
		}
	}
	if inputMode != "" {
		if m.Spec.Omega == nil {
			return nil, lang.Errorf(inputAt, "input mode needs a hidden input: add omega = siren(x, y, t, ...)")
		}
		m.Spec.Omega.Mode = gnn.InputMode(inputMode)
	}
	return m, nil
}

func evalNumber(in *runtime.Interp, x lang.Expr, env *runtime.Env) (float64, error) {
	v, err := in.Eval(x, env)
	if err != nil {
		return 0, err
	}
	n, ok := v.(runtime.Number)
	if !ok {
		return 0, lang.Errorf(x.Position(), "expected a number, found %s", v.Type())
	}
	return float64(n), nil
}

// symbolArg names an MLP input: u[j], a[i], x, t, ...
func symbolArg(x lang.Expr) (string, bool) {
	switch x := x.(type) {
	case *lang.Name:
		return x.Name, true
	case *lang.Index:
		base, ok := x.X.(*lang.Name)
		if !ok || len(x.Indices) != 1 {
			return "", false
		}
		idx, ok := x.Indices[0].(*lang.Name)
		if !ok {
			return "", false
		}
		return base.Name + "[" + idx.Name + "]", true
	}
	return "", false
}

// learnedFn is the call that builds each learned function of a model.
var learnedFn = map[string]string{"psi": "mlp", "phi": "mlp", "omega": "siren"}

// netInputs reads the inputs of a learned function's value fn(inputs...,
// options): the call and its input symbols.
func netInputs(name string, value lang.Expr) (*lang.Call, []string, error) {
	fn := learnedFn[name]
	call, ok := value.(*lang.Call)
	if !ok || call.Name != fn {
		return nil, nil, lang.Errorf(value.Position(), "%s must be %s(inputs..., hidden = 64, layers = 3)", name, fn)
	}
	var inputs []string
	for _, a := range call.Args {
		s, ok := symbolArg(a)
		if !ok {
			return nil, nil, lang.Errorf(a.Position(), "an input of %s is a symbol such as u[j], a[i], x, y or t", fn)
		}
		inputs = append(inputs, s)
	}
	return call, inputs, nil
}

// checkInputs checks the inputs of the learned function name: ψ*'s make a
// variant (fused or the gorgonia graph's), φ* takes (u[i], a[i]) and Ω*
// (x, y, t).
func checkInputs(name string, inputs []string, pos lang.Pos) (gnn.Variant, error) {
	switch name {
	case "psi":
		// The fused variants' inputs train fastest (gnn.Train); any other
		// list of u[j], u[i], a[j], a[i] trains through the gorgonia graph
		// (gnn.TrainGraph).
		variant, err := gnn.PsiVariant(inputs)
		if err != nil {
			var forms []string
			for _, p := range gnn.PsiInputs {
				forms = append(forms, "("+strings.Join(p.Inputs, ", ")+")")
			}
			return "", lang.Errorf(pos, "psi takes u[j] and any of u[i], a[j], a[i], each once (fastest: %s), found (%s)",
				strings.Join(forms, ", "), strings.Join(inputs, ", "))
		}
		return variant, nil
	case "phi":
		if j := strings.Join(inputs, ","); j != "u[i],a[i]" && j != "u,a[i]" {
			return "", lang.Errorf(pos, "phi takes the inputs (u[i], a[i]), found (%s)", strings.Join(inputs, ", "))
		}
	case "omega":
		if strings.Join(inputs, ",") != "x,y,t" {
			return "", lang.Errorf(pos, "omega takes the inputs (x, y, t), found (%s)", strings.Join(inputs, ", "))
		}
	}
	return "", nil
}

// checkLearnedInputs is the model schema's static check of psi, phi and
// omega: `ngs check` reports a wrong call or input list with the message
// the declaration gives when it runs.
func checkLearnedInputs(name string, value lang.Expr) error {
	_, inputs, err := netInputs(name, value)
	if err != nil {
		return err
	}
	_, err = checkInputs(name, inputs, value.Position())
	return err
}

// netCall reads `mlp(inputs..., hidden = , layers = , activation = )`.
func netCall(in *runtime.Interp, set *lang.Setting, env *runtime.Env) (inputs []string, named map[string]runtime.Value, err error) {
	call, inputs, err := netInputs(set.Name, set.Value)
	if err != nil {
		return nil, nil, err
	}
	named = map[string]runtime.Value{}
	for _, na := range call.Named {
		v, err := in.Eval(na.Value, env)
		if err != nil {
			return nil, nil, err
		}
		named[na.Name] = v
	}
	return inputs, named, nil
}

// netSpec reads the hidden/layers/activation options of an MLP.
func netSpec(in *runtime.Interp, set *lang.Setting, named map[string]runtime.Value, inputs int, allowed ...string) (gnn.NetSpec, error) {
	var s gnn.NetSpec
	hidden, layers := 64.0, 3.0 // gnn's defaults
	if n, ok := named["hidden"].(runtime.Number); ok {
		hidden = float64(n)
	}
	if n, ok := named["layers"].(runtime.Number); ok {
		layers = float64(n)
	}
	if err := checkNetMemory(in, set, "mlp", hidden, layers, float64(inputs)); err != nil {
		return s, err
	}
	for name, v := range named {
		switch name {
		case "hidden", "layers":
			n, ok := v.(runtime.Number)
			if !ok || n < 1 || n > maxNetSize || float64(n) != math.Trunc(float64(n)) {
				return s, lang.Errorf(set.Value.Position(), "%s must be a whole number between 1 and %d, found %s", name, maxNetSize, v)
			}
			if name == "hidden" {
				s.Hidden = int(n)
			} else {
				s.Layers = int(n)
			}
		case "activation":
			str, ok := v.(runtime.String)
			if !ok {
				return s, lang.Errorf(set.Value.Position(), "activation must be a string such as \"relu\", found %s", v.Type())
			}
			s.Activation = string(str)
		default:
			ok := false
			for _, a := range allowed {
				ok = ok || a == name
			}
			if !ok {
				return s, lang.Errorf(set.Value.Position(), "unknown option %s of %s (expected hidden, layers, activation)", name, set.Name)
			}
		}
	}
	return s, nil
}

func (m *ModelDecl) psi(in *runtime.Interp, set *lang.Setting, env *runtime.Env) error {
	inputs, named, err := netCall(in, set, env)
	if err != nil {
		return err
	}
	variant, err := checkInputs("psi", inputs, set.Value.Position())
	if err != nil {
		return err
	}
	m.Spec.Variant, m.Spec.PsiArgs = variant, nil
	if variant == gnn.Graph {
		m.Spec.PsiArgs = inputs
	}
	m.Spec.Psi, err = netSpec(in, set, named, len(inputs))
	return err
}

func (m *ModelDecl) phi(in *runtime.Interp, set *lang.Setting, env *runtime.Env) error {
	inputs, named, err := netCall(in, set, env)
	if err != nil {
		return err
	}
	if _, err := checkInputs("phi", inputs, set.Value.Position()); err != nil {
		return err
	}
	m.Spec.Phi, err = netSpec(in, set, named, len(inputs))
	return err
}

func (m *ModelDecl) omega(in *runtime.Interp, set *lang.Setting, env *runtime.Env) error {
	inputs, named, err := netCall(in, set, env)
	if err != nil {
		return err
	}
	if _, err := checkInputs("omega", inputs, set.Value.Position()); err != nil {
		return err
	}
	o := &gnn.OmegaSpec{Mode: gnn.Multiplicative}
	positions := ""
	for name, v := range named {
		if name == "positions" {
			str, ok := v.(runtime.String)
			if !ok {
				return lang.Errorf(set.Value.Position(), "positions of siren must be the name of a K×2 .npy file of (x, y), found %s", v.Type())
			}
			positions = string(str)
			continue
		}
		n, ok := v.(runtime.Number)
		if !ok {
			return lang.Errorf(set.Value.Position(), "%s of siren must be a number, found %s", name, v.Type())
		}
		if (name == "hidden" || name == "layers" || name == "neurons") && (n < 1 || n > maxNetSize || float64(n) != math.Trunc(float64(n))) {
			return lang.Errorf(set.Value.Position(), "%s of siren must be a whole number between 1 and %d, found %g", name, maxNetSize, float64(n))
		}
		switch name {
		case "hidden":
			o.Siren.Hidden = int(n)
		case "layers":
			o.Siren.HiddenLayers = int(n)
		case "omega0":
			o.Siren.Omega0 = float64(n)
		case "neurons":
			if n < 1 || float64(n) != float64(int(n)) {
				return lang.Errorf(set.Value.Position(), "neurons must be a whole number ≥ 1, found %g", float64(n))
			}
			m.OmegaNeurons = int(n)
		default:
			return lang.Errorf(set.Value.Position(), "unknown option %s of siren (expected hidden, layers, omega0, neurons, positions)", name)
		}
	}
	if m.OmegaNeurons == 0 {
		return lang.Errorf(set.Value.Position(), "siren needs the number of input neurons: neurons = K")
	}
	def := nn.DefaultSiren()
	h, l := float64(def.Hidden), float64(def.HiddenLayers+1)
	if o.Siren.Hidden > 0 {
		h = float64(o.Siren.Hidden)
	}
	if o.Siren.HiddenLayers > 0 {
		l = float64(o.Siren.HiddenLayers + 1)
	}
	if err := checkNetMemory(in, set, "siren", h, l, 3); err != nil {
		return err
	}
	if positions != "" {
		path, err := in.ResolveInput(positions)
		if err != nil {
			return lang.Errorf(set.Value.Position(), "%v", err)
		}
		if m.OmegaX, m.OmegaY, err = readPositions(npyOptions(in, false), path, m.OmegaNeurons); err != nil {
			return lang.Errorf(set.Value.Position(), "%v", err)
		}
	}
	m.Spec.Omega = o
	return nil
}

// modelOnly are builtins that describe networks inside a model block; called
// anywhere else they say so.
func modelOnly(name, doc string, options ...runtime.Param) *runtime.Builtin {
	return &runtime.Builtin{Name: name, Doc: doc, Variadic: true, Params: options,
		Fn: func(c *runtime.Call) (runtime.Value, error) {
			return nil, c.Errorf("%s(...) describes a learned function inside a model block, as in psi = %s(u[j], hidden = 64)", name, name)
		}}
}

// readPositions reads the grid positions of k input neurons from a k×2
// .npy file: row n holds (x, y) of input neuron n, both in [0, 1].
func readPositions(o npy.Options, path string, k int) (x, y []float32, err error) {
	data, shape, err := o.ReadFloat32(path)
	if err != nil {
		return nil, nil, err
	}
	if len(shape) != 2 || shape[0] != k || shape[1] != 2 {
		return nil, nil, fmt.Errorf("%s: expected positions of shape (%d, 2), (x, y) for each of the %d input neurons, found shape %v", path, k, k, shape)
	}
	x, y = make([]float32, k), make([]float32, k)
	for n := 0; n < k; n++ {
		x[n], y[n] = data[2*n], data[2*n+1]
		for c, v := range []float32{x[n], y[n]} {
			if !(v >= 0 && v <= 1) {
				return nil, nil, fmt.Errorf("%s: row %d, column %d (%s): expected a position in [0, 1], found %g", path, n, c, []string{"x", "y"}[c], v)
			}
		}
	}
	return x, y, nil
}

// maxNetSize bounds the width, depth and input count of a learned network.
const maxNetSize = 1 << 20

// checkNetMemory refuses a network whose parameters, gradients and Adam
// moments (4 float32 copies of each parameter) cannot fit in memory: about
// 16·(in·h + (layers-2)·h² + h) bytes for width h.
func checkNetMemory(in *runtime.Interp, set *lang.Setting, kind string, hidden, layers, inputs float64) error {
	params := (inputs+1)*hidden + math.Max(layers-2, 0)*(hidden+1)*hidden + hidden + 1
	what := fmt.Sprintf("%s = %s(hidden = %g, layers = %g) (%.3g parameters, with gradients and Adam moments)", set.Name, kind, hidden, layers, params)
	if err := in.CheckMemory(what, 16*params, "use a smaller hidden width or fewer layers (the paper uses hidden = 64, layers = 3)"); err != nil {
		return lang.Errorf(set.Value.Position(), "%v", err)
	}
	return nil
}
