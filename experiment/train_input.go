package experiment

import (
	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/runtime"
)

// inputSettings are the train settings about the hidden input Ω* (issue
// 14), kept until the model and data are known.
type inputSettings struct {
	known   bool
	knownAt lang.Pos
	set     map[string]lang.Pos // input settings given, for errors
}

// inputSetting reads input_method, input_bins, input_interp, known_input,
// siren_steps and input_anchor.
func (st *trainSettings) inputSetting(name string, v runtime.Value, pos lang.Pos) error {
	if st.input.set == nil {
		st.input.set = map[string]lang.Pos{}
	}
	st.input.set[name] = pos
	in := &st.cfg.Input
	switch name {
	case "input_interp":
		str, ok := v.(runtime.String)
		if !ok || (str != "constant" && str != "linear") {
			return lang.Errorf(pos, "input_interp must be \"constant\" or \"linear\", found %s", v)
		}
		in.Linear = str == "linear"
	case "input_method":
		str, ok := v.(runtime.String)
		if !ok || (str != "solve" && str != "adam") {
			return lang.Errorf(pos, "input_method must be \"solve\" or \"adam\", found %s", v)
		}
		in.Method = gnn.InputMethod(str)
	case "input_bins", "siren_steps":
		least := map[string]int{"input_bins": 1, "siren_steps": 0}[name]
		n, err := wholeNumber(v, pos, name, least)
		if err != nil {
			return err
		}
		if name == "input_bins" {
			in.TimeBins = n
		} else if in.SirenSteps = n; n == 0 {
			in.SirenSteps = -1
		}
	case "known_input", "input_anchor":
		b, ok := v.(runtime.Bool)
		if !ok {
			return lang.Errorf(pos, "%s must be true or false, found %s", name, v)
		}
		if name == "known_input" {
			st.input.known, st.input.knownAt = bool(b), pos
		} else {
			in.NoRenormalise = !bool(b)
		}
	}
	return nil
}

// bindInput checks the input settings against the model and the data, and
// hands the recorded input to training when known_input is set.
func (st *trainSettings) bindInput(c *runtime.Call, spec gnn.ModelSpec, data *Dataset, cfg *gnn.TrainConfig) error {
	if spec.Omega == nil {
		for _, name := range []string{"input_method", "input_bins", "input_interp", "known_input", "siren_steps", "input_anchor"} {
			if pos, ok := st.input.set[name]; ok {
				return lang.Errorf(pos, "%s needs a model with a hidden input: declare omega = siren(x, y, t, neurons = K) in the model block", name)
			}
		}
		return nil
	}
	if data.Recording == nil && data.Network != nil && data.Network.Input == nil && !st.input.known {
		return c.ArgError(0, "the model declares a hidden input omega = siren(...), but network %s has no input: add input = movie(...), oscillation(...), ... to the network, or remove omega from the model", data.Network.Name)
	}
	if in := data.Network.Input; data.Recording == nil && in != nil && in.Kind == "movie" && len(spec.Omega.Neurons) > in.Inputs {
		return c.ArgError(0, "omega = siren(..., neurons = %d) declares more input neurons than the movie %s drives (%d): set neurons = %d or movie(..., neurons = %d)",
			len(spec.Omega.Neurons), in.Path, in.Inputs, in.Inputs, len(spec.Omega.Neurons))
	}
	if st.input.known {
		if data.E == nil {
			return lang.Errorf(st.input.knownAt, "known_input needs the input e recorded in the data: add \"e\" to simulate's record list")
		}
		cfg.Input.Known = data.E
	}
	if cfg.Input.Method == gnn.InputSolve && cfg.Solver == gnn.SolverAdam {
		return lang.Errorf(st.input.set["input_method"], "input_method = \"solve\" needs solver = \"alternating\"")
	}
	return nil
}
