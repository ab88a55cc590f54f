package experiment

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/ngs-lab/ngs/ops/deriv"
	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/npy"
	"github.com/ngs-lab/ngs/runtime"
)

// Recording describes a dataset that recording(...) read from files rather
// than simulated: where it came from, how du/dt was obtained, what was
// skipped, and the frames held out of training for the report.
type Recording struct {
	// Source is the u file, or the reference folder.
	Source string
	// Files maps each field (u, du, input, positions, x_list, y_list) to its path.
	Files map[string]string
	// Method is how du/dt was obtained: "given" (a du file or the
	// reference's y_list), "central" (central differences) or "savgol"
	// (Savitzky–Golay smoothing derivative).
	Method string
	// Window and Order are the Savitzky–Golay filter's (0 otherwise).
	Window, Order int
	// Noise is the median over neurons of the estimated measurement noise
	// (deriv.NoiseStd), NoiseRel the same divided by std(u).
	Noise, NoiseRel float64
	// Smoothed is true when U holds the filter's smoothed activity rather
	// than the recorded values.
	Smoothed bool
	// SkippedFrames are frames dropped for a NaN or Inf value; ShortFrames
	// frames dropped because the run of valid frames around them was too
	// short for the derivative stencil.
	SkippedFrames, ShortFrames int
	// FirstBad is the first skipped frame and neuron of the file ("" when none).
	FirstBad string
	// Unrecorded are the file's columns that hold no value at all (NaN in
	// every frame): neurons that were never recorded, left out of the data.
	Unrecorded []int
	// Constant are neurons (dataset indices) whose activity never changes.
	Constant []int
	// Types are the known types of the neurons (the reference folder's
	// column 6), nil when unknown.
	Types []int
	// Positions are the neurons' (x, y), Neurons×2, nil when not given.
	Positions []float32
	// Held-out frames (not given to train): the activity as used for
	// training (smoothed when Smoothed), as recorded, du/dt and the input.
	HoldU, HoldRaw, HoldDU, HoldE []float32
	HoldFrames                    int
	// HoldRun is the number of leading held-out frames with no gap between
	// them (the longest rollout compared against the recording).
	HoldRun int
	// Warnings are the notes printed when the recording was read.
	Warnings []string
}

var recordingBuiltin = &runtime.Builtin{
	Name: "recording",
	Doc: "recording(u = \"activity.npy\", dt = 0.01, du = nil, input = nil, positions = nil, smooth = \"auto\", reference = nil, holdout = 0.1): " +
		"a dataset from recorded activity (T×N .npy, or a tensor) instead of a simulation; du/dt is estimated when absent " +
		"(smooth = \"auto\", \"central\", \"savgol\" or a Savitzky–Golay window in frames); reference = DIR reads the reference " +
		"implementation's x_list_0.npy and y_list_0.npy; the last `holdout` fraction of frames is kept out of training for the report",
	Params: []runtime.Param{{Name: "u", Default: runtime.Nil{}}, {Name: "dt", Default: runtime.Number(0.01)},
		{Name: "du", Default: runtime.Nil{}}, {Name: "input", Default: runtime.Nil{}}, {Name: "positions", Default: runtime.Nil{}},
		{Name: "smooth", Default: runtime.String("auto")}, {Name: "reference", Default: runtime.Nil{}},
		{Name: "holdout", Default: runtime.Number(0.1)}},
	Fn: recordingFn,
}

// array is one field read from a file or passed as a tensor.
type array struct {
	field, name string // parameter and what errors call it (the file)
	data        []float32
	shape       []int
}

func (a *array) shapeText() string {
	s := make([]string, len(a.shape))
	for k, v := range a.shape {
		s[k] = fmt.Sprint(v)
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// readField reads parameter field as a .npy path or a tensor; nil when not given.
func readField(c *runtime.Call, field string) (*array, error) {
	switch v := c.Get(field).(type) {
	case nil, runtime.Nil:
		return nil, nil
	case runtime.String:
		path, err := c.ResolveInput(string(v))
		if err != nil {
			return nil, err
		}
		data, shape, err := npyOptions(c.Interp, false).ReadFloat32(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, c.NamedError(field, "%s: no such file", path)
			}
			var te *npy.TruncatedError
			if errors.As(err, &te) {
				return nil, c.NamedError(field, "%s", truncatedText(te))
			}
			return nil, c.NamedError(field, "%v", err)
		}
		return &array{field: field, name: path, data: data, shape: shape}, nil
	case *runtime.Tensor:
		return &array{field: field, name: "the " + field + " tensor", data: v.Data, shape: append([]int(nil), v.Shape...)}, nil
	default:
		return nil, c.NamedError(field, "%s must be a .npy file name or a tensor, found %s", field, v.Type())
	}
}

// truncatedText explains a recording file cut short in frames: what its
// header declares, the whole frames it holds and how to use them.
func truncatedText(te *npy.TruncatedError) string {
	what := "frames"
	if len(te.Shape) > 1 {
		what = fmt.Sprintf("frames of %d", te.Shape[1])
		for _, d := range te.Shape[2:] {
			what += fmt.Sprintf("×%d", d)
		}
		what += " values"
	}
	if len(te.Shape) == 0 {
		return fmt.Sprintf("%s is cut short (a run killed while writing it, or a full disk): %v", te.Path, te)
	}
	torn := ""
	if te.TornBytes > 0 {
		torn = fmt.Sprintf(" and %d bytes of a torn one", te.TornBytes)
	}
	use := fmt.Sprintf("; load(%q) reads the %d whole frames (with a warning), and recording(...) takes the tensor it returns", te.Path, te.WholeRows)
	if te.WholeRows == 0 {
		use = "; no frame can be recovered from it"
	}
	return fmt.Sprintf("%s is cut short (a run killed while writing it, or a full disk): its header declares %d %s but it holds %d whole frames%s%s",
		te.Path, te.Shape[0], what, te.WholeRows, torn, use)
}

func recordingFn(c *runtime.Call) (runtime.Value, error) {
	dtv := c.Get("dt")
	dtn, ok := dtv.(runtime.Number)
	if !ok {
		return nil, c.NamedError("dt", "the time between frames is missing: give dt = seconds (a number > 0), found %s", dtv.Type())
	}
	dt := float64(dtn)
	if !(dt > 0) || math.IsInf(dt, 0) {
		return nil, c.NamedError("dt", "dt must be a number > 0 (the time between frames), found %g", dt)
	}
	holdout, err := c.Number("holdout")
	if err != nil {
		return nil, err
	}
	if !(holdout >= 0 && holdout < 0.9) {
		return nil, c.NamedError("holdout", "holdout must be a fraction in [0, 0.9), found %g", holdout)
	}
	method, window, err := smoothOption(c)
	if err != nil {
		return nil, err
	}
	var in *recordingInput
	if ref, given := c.Get("reference").(runtime.String); given {
		for _, f := range []string{"u", "du", "input", "positions"} {
			if _, none := c.Get(f).(runtime.Nil); !none {
				return nil, c.NamedError(f, "give either reference = DIR or the files u, du, input, positions, not both")
			}
		}
		dir, err := c.ResolveInput(string(ref))
		if err != nil {
			return nil, err
		}
		if in, err = readReference(dir); err != nil {
			return nil, c.NamedError("reference", "%v", err)
		}
	} else if v := c.Get("reference"); v.Type() != "nil" {
		return nil, c.NamedError("reference", "reference must be the reference's dataset folder (a string), found %s", v.Type())
	} else if in, err = readFiles(c); err != nil {
		return nil, err
	}
	rec, d, err := buildRecording(in, dt, method, window, holdout)
	if err != nil {
		return nil, c.Errorf("%v", err)
	}
	for _, w := range rec.Warnings {
		fmt.Fprintf(c.Out(), "recording: warning: %s\n", w)
	}
	fmt.Fprintf(c.Out(), "recording: %s\n", rec.summary(d))
	return d, nil
}

// smoothOption reads smooth = "auto" | "central" | "savgol" | window.
func smoothOption(c *runtime.Call) (string, int, error) {
	switch v := c.Get("smooth").(type) {
	case runtime.String:
		switch v {
		case "auto", "central", "savgol":
			return string(v), 0, nil
		case "none":
			return "central", 0, nil
		}
		return "", 0, c.NamedError("smooth", "smooth must be \"auto\", \"central\", \"savgol\" or an odd window of frames ≥ 7, found %q", string(v))
	case runtime.Number:
		w := int(v)
		if float64(w) != float64(v) || w < 7 || w%2 == 0 {
			return "", 0, c.NamedError("smooth", "a Savitzky–Golay window must be an odd whole number of frames ≥ 7, found %g", float64(v))
		}
		return "savgol", w, nil
	}
	return "", 0, c.NamedError("smooth", "smooth must be \"auto\", \"central\", \"savgol\" or a window in frames, found %s", c.Get("smooth").Type())
}

// recordingInput is what the files hold, before checks and derivatives.
type recordingInput struct {
	source          string
	files           map[string]string
	u, du, e        *array
	positions       []float32 // N×2
	types           []int
	t, n            int
	referenceLayout bool
}

func readFiles(c *runtime.Call) (*recordingInput, error) {
	u, err := readField(c, "u")
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, c.NamedError("u", "recording needs the activity: u = \"activity.npy\" (frames × neurons), or reference = DIR")
	}
	if len(u.shape) != 2 || u.shape[0] < 1 || u.shape[1] < 1 {
		return nil, c.NamedError("u", "%s: u must be a frames × neurons array, found shape %s", u.name, u.shapeText())
	}
	in := &recordingInput{source: u.name, files: map[string]string{"u": u.name}, u: u, t: u.shape[0], n: u.shape[1]}
	for _, f := range []string{"du", "input"} {
		a, err := readField(c, f)
		if err != nil {
			return nil, err
		}
		if a == nil {
			continue
		}
		if len(a.shape) != 2 || a.shape[0] != in.t || a.shape[1] != in.n {
			return nil, c.NamedError(f, "%s: %s has shape %s but %s (u) has (%d, %d): both must be frames × neurons of the same size", a.name, f, a.shapeText(), u.name, in.t, in.n)
		}
		in.files[f] = a.name
		if f == "du" {
			in.du = a
		} else {
			in.e = a
		}
	}
	pos, err := readField(c, "positions")
	if err != nil {
		return nil, err
	}
	if pos != nil {
		if len(pos.shape) != 2 || pos.shape[0] != in.n || pos.shape[1] != 2 {
			return nil, c.NamedError("positions", "%s: positions must be neurons × 2 = (%d, 2) to match %s (u), found %s", pos.name, in.n, u.name, pos.shapeText())
		}
		for k, v := range pos.data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, c.NamedError("positions", "%s: position of neuron %d (column %d) is %g", pos.name, k/2, k%2, v)
			}
		}
		in.files["positions"] = pos.name
		in.positions = pos.data
	}
	return in, nil
}

// readReference reads the reference implementation's dataset folder:
// x_list_0.npy (T+1, N, 8) with u in column 3, the external input in 4,
// positions in 1–2 and the type in 6, and y_list_0.npy (T+1, N, 1) du/dt.
func readReference(dir string) (*recordingInput, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%s is not a folder (expected the reference's dataset folder holding x_list_0.npy and y_list_0.npy)", dir)
	}
	xPath, yPath := filepath.Join(dir, "x_list_0.npy"), filepath.Join(dir, "y_list_0.npy")
	for _, p := range []string{xPath, yPath} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("folder %s has no %s (expected the reference's x_list_0.npy, shape (T+1, N, 8), and y_list_0.npy, shape (T+1, N, 1))", dir, filepath.Base(p))
		}
	}
	x, xs, err := npy.ReadFloat32(xPath)
	if err != nil {
		return nil, err
	}
	if len(xs) != 3 || xs[2] != 8 || xs[0] < 1 || xs[1] < 1 {
		return nil, fmt.Errorf("%s: x_list must have shape (T+1, N, 8), found %v", xPath, xs)
	}
	y, ys, err := npy.ReadFloat32(yPath)
	if err != nil {
		return nil, err
	}
	if len(ys) != 3 || ys[0] != xs[0] || ys[1] != xs[1] || ys[2] != 1 {
		return nil, fmt.Errorf("%s: y_list must have shape (%d, %d, 1) to match %s, found %v", yPath, xs[0], xs[1], xPath, ys)
	}
	t, n := xs[0], xs[1]
	in := &recordingInput{source: dir, files: map[string]string{"x_list": xPath, "y_list": yPath}, t: t, n: n, referenceLayout: true}
	col := func(k int) []float32 {
		out := make([]float32, t*n)
		for r := range out {
			out[r] = x[r*8+k]
		}
		return out
	}
	in.u = &array{field: "u", name: xPath + " column 3 (u)", data: col(3), shape: []int{t, n}}
	in.du = &array{field: "du", name: yPath + " (du/dt)", data: y, shape: []int{t, n}}
	if e := col(4); !constant(e) {
		in.e = &array{field: "input", name: xPath + " column 4 (external input)", data: e, shape: []int{t, n}}
	}
	in.positions = make([]float32, 2*n)
	in.types = make([]int, n)
	for i := 0; i < n; i++ {
		in.positions[2*i], in.positions[2*i+1] = x[i*8+1], x[i*8+2]
		v := float64(x[i*8+6])
		if v < 0 || v != math.Trunc(v) {
			return nil, fmt.Errorf("%s: column 6 (type) of neuron %d is %g, expected a whole number ≥ 0", xPath, i, v)
		}
		in.types[i] = int(v)
	}
	return in, nil
}

func constant(x []float32) bool {
	for _, v := range x {
		if v != x[0] {
			return false
		}
	}
	return true
}

// buildRecording checks the input, skips bad frames, estimates du/dt,
// holds frames out and returns the dataset.
func buildRecording(in *recordingInput, dt float64, method string, window int, holdout float64) (*Recording, *Dataset, error) {
	t, n := in.t, in.n
	rec := &Recording{Source: in.source, Files: in.files}
	u := in.u.data
	finite := func(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }
	// Columns without a single value: neurons never recorded.
	var keep []int
	for j := 0; j < n; j++ {
		any := false
		for f := 0; f < t && !any; f++ {
			any = finite(u[f*n+j])
		}
		if any {
			keep = append(keep, j)
		} else {
			rec.Unrecorded = append(rec.Unrecorded, j)
		}
	}
	if len(keep) < 2 {
		return nil, nil, fmt.Errorf("%s: u holds values for %d neurons; training needs at least 2", in.u.name, len(keep))
	}
	if len(rec.Unrecorded) > 0 {
		rec.Warnings = append(rec.Warnings, fmt.Sprintf("%s: %d neurons hold NaN in every frame and are left out as never recorded (columns %s)", in.u.name, len(rec.Unrecorded), intList(rec.Unrecorded, 10)))
	}
	// Frames with a NaN or Inf anywhere in the kept columns are skipped.
	valid := make([]bool, t)
	for f := 0; f < t; f++ {
		valid[f] = true
		for _, a := range []*array{in.u, in.du, in.e} {
			if a == nil {
				continue
			}
			for _, j := range keep {
				if !finite(a.data[f*n+j]) {
					if valid[f] && rec.FirstBad == "" {
						rec.FirstBad = fmt.Sprintf("%s frame %d, neuron %d", a.name, f, j)
					}
					valid[f] = false
					break
				}
			}
			if !valid[f] {
				break
			}
		}
		if !valid[f] {
			rec.SkippedFrames++
		}
	}
	if rec.SkippedFrames > 0 {
		rec.Warnings = append(rec.Warnings, fmt.Sprintf("%d of %d frames hold NaN or Inf and are skipped (first: %s)", rec.SkippedFrames, t, rec.FirstBad))
	}
	m := len(keep)
	gather := func(a *array, frames []int) []float32 {
		out := make([]float32, len(frames)*m)
		for r, f := range frames {
			for c, j := range keep {
				out[r*m+c] = a.data[f*n+j]
			}
		}
		return out
	}
	// Runs of consecutive valid frames.
	var runs [][]int
	for f := 0; f < t; f++ {
		if !valid[f] {
			continue
		}
		if f == 0 || !valid[f-1] {
			runs = append(runs, nil)
		}
		runs[len(runs)-1] = append(runs[len(runs)-1], f)
	}
	var all []float32
	for _, r := range runs {
		all = append(all, gather(in.u, r)...)
	}
	if len(all) == 0 {
		return nil, nil, fmt.Errorf("%s: every frame holds NaN or Inf", in.u.name)
	}
	_, stdAll := meanStd32(all)
	noise := deriv.NoiseStd(all, len(all)/m, m)
	rec.Noise = medianOf(noise)
	if stdAll > 0 {
		rec.NoiseRel = rec.Noise / stdAll
	}
	// How du/dt is obtained.
	var filt *deriv.Filter
	switch {
	case in.du != nil:
		rec.Method = "given"
	case method == "central":
		rec.Method = "central"
	case method == "savgol" || method == "auto":
		var err error
		if window == 0 {
			rec.Method = "central"
			central, cerr := deriv.Central(all, len(all)/m, m, dt)
			if cerr != nil {
				return nil, nil, fmt.Errorf("%s: %v", in.u.name, cerr)
			}
			_, sd := meanStd32(central)
			if method == "savgol" || deriv.NoisyForCentral(rec.Noise, dt, sd) {
				window, err = deriv.ChooseWindow(all, len(all)/m, m, noise, deriv.DefaultOrder)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %v", in.u.name, err)
				}
			}
		}
		if window > 0 {
			rec.Method, rec.Window, rec.Order = "savgol", window, deriv.DefaultOrder
			if filt, err = deriv.NewFilter(window/2, deriv.DefaultOrder); err != nil {
				return nil, nil, err
			}
		}
	}
	least := 3
	if filt != nil {
		least = rec.Window
	}
	if in.du != nil {
		least = 1
	}
	// Per run: the activity used for training, the recorded one, du, e.
	var U, Raw, DU, E []float32
	var runOf []int // run index of each kept frame
	for r, frames := range runs {
		if len(frames) < least {
			rec.ShortFrames += len(frames)
			continue
		}
		raw := gather(in.u, frames)
		uu, du := raw, []float32(nil)
		var err error
		switch {
		case in.du != nil:
			du = gather(in.du, frames)
		case filt != nil:
			uu, du, err = filt.SavitzkyGolay(raw, len(frames), m, dt)
			rec.Smoothed = true
		default:
			du, err = deriv.Central(raw, len(frames), m, dt)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", in.u.name, err)
		}
		U, Raw, DU = append(U, uu...), append(Raw, raw...), append(DU, du...)
		if in.e != nil {
			E = append(E, gather(in.e, frames)...)
		}
		for range frames {
			runOf = append(runOf, r)
		}
	}
	if rec.ShortFrames > 0 {
		rec.Warnings = append(rec.Warnings, fmt.Sprintf("%d frames lie in runs between skipped frames shorter than the derivative's %d-frame stencil and are left out", rec.ShortFrames, least))
	}
	frames := len(runOf)
	hold := int(math.Round(holdout * float64(frames)))
	if frames-hold < 2 {
		return nil, nil, fmt.Errorf("%s: %d usable frames (of %d) after skipping NaN frames: too few to train on", in.u.name, frames, t)
	}
	// Constant neurons: warned, kept (their column of W cannot be told
	// apart from φ*'s offset).
	for c := 0; c < m; c++ {
		lo, hi := Raw[c], Raw[c]
		for f := 1; f < frames; f++ {
			v := Raw[f*m+c]
			lo, hi = min(lo, v), max(hi, v)
		}
		if hi-lo <= 1e-6*float32(max(stdAll, 1e-30)) {
			rec.Constant = append(rec.Constant, keep[c])
		}
	}
	if len(rec.Constant) > 0 {
		rec.Warnings = append(rec.Warnings, fmt.Sprintf("%s: u is constant for %d neurons (columns %s): kept, but their outgoing weights cannot be learned", in.u.name, len(rec.Constant), intList(rec.Constant, 10)))
	}
	train := frames - hold
	if hold > 0 {
		rec.HoldFrames = hold
		rec.HoldU = append([]float32(nil), U[train*m:]...)
		rec.HoldRaw = append([]float32(nil), Raw[train*m:]...)
		rec.HoldDU = append([]float32(nil), DU[train*m:]...)
		if E != nil {
			rec.HoldE = append([]float32(nil), E[train*m:]...)
		}
		rec.HoldRun = 1
		for rec.HoldRun < hold && runOf[train+rec.HoldRun] == runOf[train] {
			rec.HoldRun++
		}
	}
	if in.positions != nil {
		rec.Positions = make([]float32, 0, 2*m)
		for _, j := range keep {
			rec.Positions = append(rec.Positions, in.positions[2*j], in.positions[2*j+1])
		}
	}
	net := &Network{Name: recordingName(in), N: m, Params: map[string][]float32{}, Gain: 1, Types: make([]int, m)}
	if in.types != nil {
		rec.Types = make([]int, m)
		k := 0
		for c, j := range keep {
			rec.Types[c] = in.types[j]
			k = max(k, in.types[j]+1)
		}
		net.Types = rec.Types
		for i := 0; i < k; i++ {
			net.Kinds = append(net.Kinds, NeuronType{Name: fmt.Sprintf("type %d", i), Count: -1})
		}
	} else {
		net.Kinds = []NeuronType{{Name: "unknown", Count: -1}}
	}
	d := &Dataset{Network: net, Frames: train, Neurons: keep, U: U[:train*m], DU: DU[:train*m], Dt: dt, Stride: 1,
		Files: in.files, Recording: rec}
	if E != nil {
		d.E = E[:train*m]
	}
	return rec, d, nil
}

func recordingName(in *recordingInput) string {
	base := filepath.Base(in.source)
	if in.referenceLayout {
		return "reference " + base
	}
	return strings.TrimSuffix(base, ".npy")
}

// summary is the line printed when a recording is read.
func (r *Recording) summary(d *Dataset) string {
	s := fmt.Sprintf("%s: %d frames × %d neurons for training, dt = %g", r.Source, d.Frames, len(d.Neurons), d.Dt)
	if r.HoldFrames > 0 {
		s += fmt.Sprintf(", %d frames held out", r.HoldFrames)
	}
	s += "; du/dt " + r.MethodText()
	return s
}

// MethodText says in words how du/dt was obtained.
func (r *Recording) MethodText() string {
	switch r.Method {
	case "given":
		return "given in the file"
	case "savgol":
		return fmt.Sprintf("estimated by a Savitzky–Golay derivative (window %d frames, order %d; noise ≈ %.2g%% of std(u))", r.Window, r.Order, 100*r.NoiseRel)
	}
	return fmt.Sprintf("estimated by central differences (noise ≈ %.2g%% of std(u))", 100*r.NoiseRel)
}

func intList(x []int, most int) string {
	s := make([]string, 0, most+1)
	for k, v := range x {
		if k == most {
			s = append(s, fmt.Sprintf("… %d more", len(x)-most))
			break
		}
		s = append(s, fmt.Sprint(v))
	}
	return strings.Join(s, ", ")
}

func meanStd32(x []float32) (mean, std float64) {
	var s, ss float64
	for _, v := range x {
		s += float64(v)
		ss += float64(v) * float64(v)
	}
	n := float64(len(x))
	mean = s / n
	return mean, math.Sqrt(math.Max(ss/n-mean*mean, 0))
}

func medianOf(x []float64) float64 {
	s := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	return metrics.MedianInPlace(s)
}

var subnetworkBuiltin = &runtime.Builtin{
	Name: "subnetwork",
	Doc: "subnetwork(net, neurons): the network restricted to the given neurons (their types, parameters and block of W, " +
		"no external input): the truth to compare a fit on a partial recording with",
	Params: []runtime.Param{{Name: "net"}, {Name: "neurons"}},
	Fn: func(c *runtime.Call) (runtime.Value, error) {
		net, ok := c.Arg(0).(*Network)
		if !ok {
			return nil, c.ArgError(0, "subnetwork needs a network, found %s", c.Arg(0).Type())
		}
		idx, err := neuronList(c, "neurons", net.N)
		if err != nil {
			return nil, err
		}
		if len(idx) < 2 {
			return nil, c.NamedError("neurons", "a subnetwork needs at least 2 neurons, found %d", len(idx))
		}
		return subnetwork(net, idx), nil
	},
}

// subnetwork restricts a network to the neurons idx, in that order.
func subnetwork(net *Network, idx []int) *Network {
	m := len(idx)
	sub := *net
	sub.Name = net.Name + "[recorded]"
	sub.N = m
	sub.Input = nil
	sub.Types = make([]int, m)
	sub.Params = make(map[string][]float32, len(net.Params))
	for name, v := range net.Params {
		p := make([]float32, m)
		for r, i := range idx {
			p[r] = v[i]
		}
		sub.Params[name] = p
	}
	if net.W != nil {
		sub.W = make([]float32, m*m)
	}
	for r, i := range idx {
		sub.Types[r] = net.Types[i]
		for c, j := range idx {
			if net.W != nil {
				sub.W[r*m+c] = net.W[i*net.N+j]
			}
		}
	}
	if len(net.U0) == net.N {
		sub.U0 = make([]float32, m)
		for r, i := range idx {
			sub.U0[r] = net.U0[i]
		}
	}
	return &sub
}
