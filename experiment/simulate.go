package experiment

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/ngs-lab/ngs/internal/memory"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/npy"
	"github.com/ngs-lab/ngs/ops/sim"
	"github.com/ngs-lab/ngs/runtime"
)

// Dataset is the value returned by simulate: the recorded activity u, the
// noise-free du/dt and the input e, frames × recorded neurons, float32.
type Dataset struct {
	Network *Network
	Frames  int
	Neurons []int
	U, DU   []float32
	E       []float32
	Dt      float64
	Burnin  int
	Stride  int
	Dir     string
	Files   map[string]string
	Seconds float64
	// Recording is set when the dataset was read by recording(...) rather
	// than simulated (nil otherwise).
	Recording *Recording
	mapped    []*npy.Mapped
}

// Type implements runtime.Value.
func (*Dataset) Type() string { return "dataset" }

// String summarises the dataset.
func (d *Dataset) String() string {
	rec := []string{}
	for _, k := range []string{"u", "du", "e"} {
		if d.field(k) != nil {
			rec = append(rec, k)
		}
	}
	return fmt.Sprintf("<dataset of %s: %d frames × %d neurons, dt = %g, recorded %s (%.1f s)>",
		d.Network.Name, d.Frames, len(d.Neurons), d.Dt, strings.Join(rec, ", "), d.Seconds)
}

func (d *Dataset) field(name string) []float32 {
	switch name {
	case "u":
		return d.U
	case "du":
		return d.DU
	case "e":
		return d.E
	}
	return nil
}

// Names lists the fields of a dataset.
func (d *Dataset) Names() []string {
	return []string{"u", "du", "e", "frames", "neurons", "network", "dt", "dir", "seconds"}
}

// Attr returns a field.
func (d *Dataset) Attr(name string) (runtime.Value, error) {
	switch name {
	case "u", "du", "e":
		x := d.field(name)
		if x == nil {
			return nil, fmt.Errorf("this dataset did not record %s (add it to record = [...])", name)
		}
		return &runtime.Tensor{Shape: []int{d.Frames, len(d.Neurons)}, Data: x}, nil
	case "frames":
		return runtime.Number(d.Frames), nil
	case "neurons":
		return intTensor(d.Neurons), nil
	case "network":
		return d.Network, nil
	case "dt":
		return runtime.Number(d.Dt), nil
	case "dir":
		return runtime.String(d.Dir), nil
	case "seconds":
		return runtime.Number(d.Seconds), nil
	}
	return nil, fmt.Errorf("a dataset has no field %q (fields: %s)", name, strings.Join(d.Names(), ", "))
}

var simulateBuiltin = &runtime.Builtin{
	Name: "simulate",
	Doc: "simulate(net, dt = 0.01, frames = 1000, burnin = 1000, record = [\"u\", \"du\"], neurons = nil, stride = 1, out = \"sim\", seed = nil, memory = true, weights = \"float32\"): " +
		"integrate a network by explicit Euler and record u, the noise-free du/dt and e, streaming .npy files to OUT/sim; " +
		"weights = \"half\" first rounds W to half precision (binary16, about 3 significant digits) and streams it at half the memory traffic, " +
		"which bounds the step time at N in the thousands: the network simulated, recorded and compared with is then the rounded one",
	Params: []runtime.Param{{Name: "net"}, {Name: "dt", Default: runtime.Number(0.01)}, {Name: "frames", Default: runtime.Number(1000)},
		{Name: "burnin", Default: runtime.Number(1000)}, {Name: "record", Default: runtime.Nil{}}, {Name: "neurons", Default: runtime.Nil{}},
		{Name: "stride", Default: runtime.Number(1)}, {Name: "out", Default: runtime.String("sim")}, {Name: "seed", Default: runtime.Nil{}},
		{Name: "memory", Default: runtime.Bool(true)}, {Name: "weights", Default: runtime.String("float32")}},
	Fn: simulate,
}

func simulate(c *runtime.Call) (runtime.Value, error) {
	net, ok := c.Arg(0).(*Network)
	if !ok {
		return nil, c.ArgError(0, "simulate needs a network, found %s", c.Arg(0).Type())
	}
	opt, err := simOptions(c, net)
	if err != nil {
		return nil, err
	}
	if err := checkSimMemory(c, net, opt); err != nil {
		return nil, err
	}
	simNet := &sim.Network{N: net.N, Types: net.Types, Params: net.Params, Rule: net.Rule, W: net.W,
		U0: net.U0, U0Mean: net.U0Mean, U0Std: net.U0Std, Noise: net.Noise}
	if net.Input != nil {
		src, err := net.Input.source(net.N, opt.Seed)
		if err != nil {
			return nil, c.Errorf("input of network %s: %v", net.Name, err)
		}
		simNet.Input = src
	}
	bar := newProgressBar(c, "simulate "+net.Name)
	opt.Progress = func(p sim.Progress) { bar.update(p.Step, p.Steps, "") }
	start := time.Now()
	res, err := runSim(c, simNet, opt)
	bar.done()
	if res == nil {
		return nil, simError(c, err)
	}
	d := &Dataset{Network: net, Frames: res.Frames, Neurons: res.Neurons, U: res.U, DU: res.DU, E: res.E,
		Dt: opt.Dt, Burnin: opt.Burnin, Stride: opt.Stride, Dir: opt.OutDir, Files: res.Files, Seconds: time.Since(start).Seconds()}
	if err != nil {
		// Keep what was recorded: report the error with the frames kept.
		return nil, c.Errorf("%v (%s)", err, keptFrames(res, opt))
	}
	if opt.FilesOnly {
		if err := d.mapFiles(c.Interp); err != nil {
			return nil, c.Errorf("%v", err)
		}
	}
	return d, nil
}

// keptFrames says where the frames recorded before an error are: in memory,
// and in each streamed file as many rows as its header states.
func keptFrames(res *sim.Result, opt sim.Options) string {
	var parts []string
	if !opt.FilesOnly {
		parts = append(parts, fmt.Sprintf("the %d frames recorded before it are in memory", res.Frames))
	}
	if opt.OutDir != "" {
		var files []string
		for _, name := range []string{"u", "du", "e"} {
			if path, ok := res.Files[name]; ok {
				files = append(files, fmt.Sprintf("%s holds %d", filepath.Base(path), res.Written[name]))
			}
		}
		if len(files) > 0 {
			parts = append(parts, fmt.Sprintf("in %s, %s frames, each a valid .npy", opt.OutDir, strings.Join(files, ", ")))
		}
	}
	if len(parts) == 0 {
		return "nothing was recorded"
	}
	return strings.Join(parts, "; ")
}

// checkSimMemory refuses, before simulating, a run that cannot fit in
// memory: the recording kept in memory (recorded frames × recorded neurons
// × 4 bytes for each of u, du and e) and, when u and du of every neuron are
// recorded (a dataset train can use), what training on it with the
// default recipe will need on top (gnn.EstimateMemory: Ŵ, its Adam state,
// the Gram matrices and one exact solve, the MLP work). The error gives
// every part and the memory there is; NGS_MEMORY overrides the latter.
func checkSimMemory(c *runtime.Call, net *Network, opt sim.Options) error {
	arrays := 0
	for _, r := range []sim.Record{sim.RecordU, sim.RecordDU, sim.RecordE} {
		if opt.Record&r != 0 {
			arrays++
		}
	}
	m := net.N
	if opt.Neurons != nil {
		m = len(opt.Neurons)
	}
	frames := math.Ceil(float64(opt.Frames) / float64(max(opt.Stride, 1)))
	need := 0.0
	var parts []string
	if !opt.FilesOnly {
		need = frames * float64(m) * 4 * float64(arrays)
		parts = append(parts, fmt.Sprintf("%d recorded array(s) of %.0f frames × %d neurons in memory %s", arrays, frames, m, memory.Bytes(need)))
	}
	trainable := m == net.N && opt.Record&sim.RecordU != 0 && opt.Record&sim.RecordDU != 0
	if trainable {
		est := gnn.EstimateMemory(gnn.ModelSpec{N: net.N}, gnn.TrainConfig{}, int(frames))
		est.Data = 0 // counted above, or mapped from the files
		need += est.Training()
		parts = append(parts, fmt.Sprintf("then training on it (the default recipe) %s: %s", memory.Bytes(est.Training()), est))
	}
	if len(parts) == 0 {
		return nil
	}
	what := fmt.Sprintf("simulate(%s, frames = %d): %s", net.Name, opt.Frames, strings.Join(parts, "; "))
	hint := "use fewer frames, a larger stride, fewer recorded neurons (neurons = [...]) or arrays (record = [\"u\"]), or memory = false to stream to the files only"
	if trainable {
		hint += "; a smaller network trains in less (Ŵ and the Gram matrices grow as N²)"
	}
	return c.CheckMemory(what, need, hint+"; "+memory.EnvVar+"=BYTES overrides the memory available")
}

// runSim runs the simulation, turning a script error raised inside an input
// field callback back into that error.
func runSim(c *runtime.Call, net *sim.Network, opt sim.Options) (res *sim.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			if fe, ok := r.(fieldError); ok {
				res, err = nil, fe.err
				return
			}
			panic(r)
		}
	}()
	return sim.Run(c.Ctx(), net, opt)
}

func simError(c *runtime.Call, err error) error {
	var div *sim.DivergenceError
	if errors.As(err, &div) {
		return c.Errorf("%v", err)
	}
	if c.Ctx().Err() != nil {
		return c.Errorf("simulation cancelled: %v", err)
	}
	return c.Errorf("%v", err)
}

// mapFiles memory-maps u.npy and du.npy of a files-only run.
func (d *Dataset) mapFiles(in *runtime.Interp) error {
	for _, name := range []string{"u", "du", "e"} {
		path, ok := d.Files[name]
		if !ok {
			continue
		}
		m, err := npyOptions(in, false).Map(path)
		if err != nil {
			return err
		}
		d.mapped = append(d.mapped, m)
		switch name {
		case "u":
			d.U = m.Data
		case "du":
			d.DU = m.Data
		case "e":
			d.E = m.Data
		}
	}
	return nil
}

// dropResident returns what takes a mapped dataset's pages out of resident
// memory (npy.Mapped.DropResident), or nil for a dataset held in memory.
// A failed madvise only costs memory: it is ignored.
func (d *Dataset) dropResident() func() {
	if len(d.mapped) == 0 {
		return nil
	}
	return func() {
		for _, m := range d.mapped {
			_ = m.DropResident()
		}
	}
}

// maxSteps bounds frames, burnin and stride (10¹⁵ steps would take
// decades; beyond it a number no longer converts to an int safely).
const maxSteps = 1e15

func simOptions(c *runtime.Call, net *Network) (sim.Options, error) {
	var opt sim.Options
	var err error
	if opt.Dt, err = c.Number("dt"); err != nil {
		return opt, err
	}
	if !(opt.Dt > 0) {
		return opt, c.NamedError("dt", "dt must be > 0, found %g", opt.Dt)
	}
	ints := map[string]*int{"frames": &opt.Frames, "burnin": &opt.Burnin, "stride": &opt.Stride}
	for _, name := range []string{"frames", "burnin", "stride"} {
		v, err := c.Number(name)
		if err != nil {
			return opt, err
		}
		if !(v >= 0) || v > maxSteps || v != math.Trunc(v) || (name != "burnin" && v < 1) {
			if v > maxSteps && v == math.Trunc(v) {
				return opt, c.NamedError(name, "%s = %g is more than the %g steps a simulation may take", name, v, float64(maxSteps))
			}
			return opt, c.NamedError(name, "%s must be a whole number ≥ %d, found %g", name, map[bool]int{true: 0, false: 1}[name == "burnin"], v)
		}
		*ints[name] = int(v)
	}
	if opt.Record, err = recordFlags(c, net); err != nil {
		return opt, err
	}
	if opt.Neurons, err = neuronList(c, "neurons", net.N); err != nil {
		return opt, err
	}
	if s, ok := c.Get("seed").(runtime.Number); ok {
		opt.Seed = uint64(s)
	} else {
		opt.Seed = c.Rand().Uint64()
	}
	mem, err := c.NamedBool("memory", true)
	if err != nil {
		return opt, err
	}
	opt.FilesOnly = !mem
	weights, err := c.NamedString("weights", "float32")
	if err != nil {
		return opt, err
	}
	switch weights {
	case "float32":
	case "half":
		opt.HalfWeights = true
	default:
		return opt, c.NamedError("weights", "weights is \"float32\" or \"half\", found %q", weights)
	}
	out, err := c.NamedString("out", "sim")
	if err != nil {
		return opt, err
	}
	// Files are written under --out, or where out = "..." says explicitly.
	if out != "" && (c.OutDir() != "" || !isDefault(c, "out")) {
		if opt.OutDir, err = c.ResolvePath(out); err != nil {
			return opt, err
		}
	}
	if opt.FilesOnly && opt.OutDir == "" {
		return opt, c.NamedError("memory", "memory = false needs an output directory (out = \"dir\")")
	}
	opt.FS = c.FS()
	return opt, nil
}

// isDefault reports whether a named parameter was left at its default.
func isDefault(c *runtime.Call, name string) bool {
	for _, nv := range c.Named {
		if nv.Name == name {
			return false
		}
	}
	return true
}

func recordFlags(c *runtime.Call, net *Network) (sim.Record, error) {
	v := c.Get("record")
	if _, none := v.(runtime.Nil); none || v == nil {
		r := sim.RecordU | sim.RecordDU
		if net.Input != nil {
			r |= sim.RecordE
		}
		return r, nil
	}
	list, ok := v.(*runtime.List)
	if !ok {
		return 0, c.NamedError("record", "record must be a list such as [\"u\", \"du\", \"e\"], found %s", v.Type())
	}
	var r sim.Record
	for _, x := range list.Elems {
		switch x {
		case runtime.String("u"):
			r |= sim.RecordU
		case runtime.String("du"):
			r |= sim.RecordDU
		case runtime.String("e"):
			r |= sim.RecordE
		default:
			return 0, c.NamedError("record", "record can hold \"u\", \"du\" and \"e\", found %s", x)
		}
	}
	return r, nil
}

// neuronList reads a list, range or tensor of neuron indices (nil: all).
func neuronList(c *runtime.Call, name string, n int) ([]int, error) {
	v := c.Get(name)
	var idx []float64
	switch v := v.(type) {
	case nil, runtime.Nil:
		return nil, nil
	case *runtime.List:
		for _, x := range v.Elems {
			num, ok := x.(runtime.Number)
			if !ok {
				return nil, c.NamedError(name, "%s must hold neuron indices, found %s", name, x.Type())
			}
			idx = append(idx, float64(num))
		}
	case *runtime.Tensor:
		for _, x := range v.Data {
			idx = append(idx, float64(x))
		}
	default:
		return nil, c.NamedError(name, "%s must be a list or range of neuron indices, found %s", name, v.Type())
	}
	out := make([]int, len(idx))
	for k, x := range idx {
		if x < 0 || x >= float64(n) || x != float64(int(x)) {
			return nil, c.NamedError(name, "neuron index %g is outside 0..%d", x, n-1)
		}
		out[k] = int(x)
	}
	return out, nil
}
