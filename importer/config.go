package importer

import (
	"fmt"
	"strings"
)

// simulation holds the fields of the config's simulation section.
type simulation struct {
	neurons, types, frames int
	dt                     float64
	burnin, seed           int
	params                 [][]float64
	transfer               string // the reference's phi: tanh, ...
	connectivity           string // an ngs generator call: cauchy(...)
	noise                  float64
	inputMode              string // "", "multiplicative", "additive"
	inputNeurons           int
	movie                  bool
}

// graphModel holds the fields of the config's graph_model section.
type graphModel struct {
	model                  signalModel
	psiHidden, psiLayers   int
	phiHidden, phiLayers   int
	embedding              int
	omegaHidden, omegaLyrs int
	omega0                 float64
}

// training holds the fields of the config's training section.
type training struct {
	epochs, batch, seed              int
	augmentation                     optional
	initBatchOne                     bool
	lrW, lrMLP, lrEmbedding, lrOmega optional
	phiZero, edgeDiff, wL1, firstL1  float64
	epochsInit                       int
	clusterEvery                     int // 0: no clustering
	clusterThreshold                 float64
	freezeEmbedding, learnInput      bool
	noise                            optional // misplaced simulation.noise_model_level
}

// config is a parsed reference config with the reference's defaults filled in.
type config struct {
	description, dataset string
	sim                  simulation
	gm                   graphModel
	tr                   training
	notes                *notes
}

// notes collects the fields that were not mapped or only approximately.
type notes struct{ list []Unmapped }

func (n *notes) add(s *section, name, reason string) {
	n.list = append(n.list, Unmapped{Path: s.fieldPath(name), Line: s.lineOf(name), Reason: reason})
}

// errs chains the reads of one section, keeping the first error.
type errs struct{ err error }

func (e *errs) int(s *section, name string, def int) int {
	v, err := s.integer(name, def)
	e.keep(err)
	return v
}

func (e *errs) float(s *section, name string, def float64) float64 {
	v, err := s.float(name, def)
	e.keep(err)
	return v
}

func (e *errs) bool(s *section, name string, def bool) bool {
	v, err := s.boolean(name, def)
	e.keep(err)
	return v
}

func (e *errs) text(s *section, name, def string) string {
	v, err := s.text(name, def)
	e.keep(err)
	return v
}

func (e *errs) keep(err error) {
	if e.err == nil {
		e.err = err
	}
}

// positive checks that a read count is at least 1.
func (e *errs) positive(s *section, name string, v int) {
	if e.err == nil && v < 1 {
		node := s.values[name]
		line := s.line
		found := "nothing"
		if node != nil {
			line, found = node.Line, describe(node)
		}
		e.err = &FieldError{Source: s.source, Line: line, Path: s.fieldPath(name),
			Expected: "a positive integer", Found: found}
	}
}

// readSimulation reads the simulation section.
func readSimulation(s *section, n *notes) (simulation, error) {
	var e errs
	sim := simulation{
		neurons: e.int(s, "n_neurons", 1000), types: e.int(s, "n_neuron_types", 1),
		frames: e.int(s, "n_frames", 1000), dt: e.float(s, "delta_t", 0.01),
		seed: e.int(s, "seed", 42), transfer: e.text(s, "phi", "tanh"),
		noise: e.float(s, "noise_model_level", 0),
	}
	start := e.int(s, "start_frame", 0)
	if start < 0 {
		sim.burnin = -start
	}
	e.positive(s, "n_neurons", sim.neurons)
	e.positive(s, "n_neuron_types", sim.types)
	e.positive(s, "n_frames", sim.frames)
	if e.err != nil {
		return sim, e.err
	}
	if start > 0 {
		n.add(s, "start_frame", fmt.Sprintf("a positive start frame (%d) skips recorded frames; ngs records from the end of burn-in", start))
	}
	if !knownTransfer[sim.transfer] {
		n.add(s, "phi", fmt.Sprintf("transfer function %q is not an ngs math function; written as tanh", sim.transfer))
		sim.transfer = "tanh"
	}
	var err error
	if sim.connectivity, err = readConnectivity(s, n); err != nil {
		return sim, err
	}
	return sim, readInput(s, n, &sim)
}

// knownTransfer lists the reference's phi values that are ngs math functions.
var knownTransfer = map[string]bool{"tanh": true, "sigmoid": true, "relu": true, "sin": true, "exp": true}

// readConnectivity maps connectivity_* and Dale_law onto an ngs generator call.
func readConnectivity(s *section, n *notes) (string, error) {
	var e errs
	kind := e.text(s, "connectivity_type", "Lorentz")
	fill := e.float(s, "connectivity_filling_factor", 1)
	rank := e.int(s, "connectivity_rank", 1)
	dale := e.bool(s, "Dale_law", false)
	if e.err != nil {
		return "", e.err
	}
	if fill <= 0 || fill > 1 {
		return "", &FieldError{Source: s.source, Line: s.values["connectivity_filling_factor"].Line,
			Path: s.fieldPath("connectivity_filling_factor"), Expected: "a fraction in (0, 1]", Found: fmt.Sprint(fill)}
	}
	var call string
	var args []string
	switch kind {
	case "Lorentz":
		call = "cauchy"
		if s.has("connectivity_init") {
			s.take("connectivity_init")
			n.add(s, "connectivity_init", "not used by the Cauchy generator: ngs scales weights by N^-p (SPEC §1.3)")
		}
	case "Gaussian":
		call = "gaussian"
		if s.has("connectivity_init") {
			s.take("connectivity_init")
			n.add(s, "connectivity_init", "ngs draws Gaussian weights as Normal(0,1)/sqrt(N), not with this mean and std")
		}
	case "low_rank":
		call = "lowrank"
		args = append(args, "rank = "+formatInt(rank))
	default:
		call = "cauchy"
		n.add(s, "connectivity_type", fmt.Sprintf("connectivity %q has no ngs generator; written as cauchy()", kind))
	}
	if kind != "low_rank" && s.has("connectivity_rank") {
		n.add(s, "connectivity_rank", "only used by low_rank connectivity")
	}
	if fill != 1 {
		args = append(args, "fill = "+formatNumber(fill))
	}
	if dale {
		args = append(args, "dale = 0.5")
		n.add(s, "Dale_law", "the reference gives no fraction of inhibitory (negated) sender columns; written as 0.5")
	}
	return call + "(" + strings.Join(args, ", ") + ")", nil
}

// readInput maps the external input fields.
func readInput(s *section, n *notes, sim *simulation) error {
	var e errs
	kind := e.text(s, "external_input_type", "none")
	mode := e.text(s, "external_input_mode", "none")
	sim.inputNeurons = e.int(s, "n_input_neurons", 0)
	movieFile := e.text(s, "node_value_map", "")
	if e.err != nil {
		return e.err
	}
	switch kind {
	case "none", "":
		if movieFile != "" {
			n.add(s, "node_value_map", "no external input is configured, so the map is unused")
		}
		return nil
	case "visual":
		sim.movie = true
		if sim.inputNeurons <= 0 || sim.inputNeurons > sim.neurons {
			sim.inputNeurons = min(1024, sim.neurons)
			n.add(s, "n_input_neurons", fmt.Sprintf("missing or out of range for a visual input; written as %d", sim.inputNeurons))
		}
		n.add(s, "node_value_map", fmt.Sprintf("movie %q is replaced by ngs's %s (the reference's 32x32 movie as .npy)", movieFile, MoviePath))
	default:
		n.add(s, "external_input_type", fmt.Sprintf("input %q has no ngs equivalent; the script has no external input", kind))
		return nil
	}
	switch mode {
	case "multiplicative", "additive":
		sim.inputMode = mode
	default:
		sim.inputMode = "multiplicative"
		n.add(s, "external_input_mode", fmt.Sprintf("mode %q is neither multiplicative nor additive; written as multiplicative", mode))
	}
	return nil
}

// MoviePath is the movie file that imported scripts with a visual input use,
// relative to the repository root.
const MoviePath = "../shared/reference/fig3_movie.npy"

// optional is a number that a config may leave out.
type optional struct {
	value float64
	set   bool
}

func (e *errs) optional(s *section, name string) optional {
	if !s.has(name) {
		s.take(name)
		return optional{}
	}
	v, err := s.float(name, 0)
	e.keep(err)
	return optional{value: v, set: true}
}
