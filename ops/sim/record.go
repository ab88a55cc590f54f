package sim

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ngs-lab/ngs/ops/npy"
)

// recorder keeps recorded frames in memory and/or streams them to files.
type recorder struct {
	opt     Options
	res     *Result
	writers map[string]*npy.RowWriter
	gather  []float32
	ones    []float32
	all     bool // every neuron recorded in order
}

var recordNames = []struct {
	name string
	what Record
}{{"u", RecordU}, {"du", RecordDU}, {"e", RecordE}}

func newRecorder(net *Network, opt Options) (*recorder, error) {
	m := len(opt.Neurons)
	r := &recorder{opt: opt, res: &Result{Neurons: opt.Neurons, Files: map[string]string{}, Written: map[string]int{}},
		writers: map[string]*npy.RowWriter{}, gather: make([]float32, m), ones: make([]float32, net.N)}
	for i := range r.ones {
		r.ones[i] = 1
	}
	r.all = m == net.N
	for k, i := range opt.Neurons {
		r.all = r.all && k == i
	}
	if !opt.FilesOnly {
		size := recordedFrames(opt) * m
		if opt.Record&RecordU != 0 {
			r.res.U = make([]float32, 0, size)
		}
		if opt.Record&RecordDU != 0 {
			r.res.DU = make([]float32, 0, size)
		}
		if opt.Record&RecordE != 0 {
			r.res.E = make([]float32, 0, size)
		}
	}
	if opt.OutDir == "" {
		return r, nil
	}
	if err := opt.FS.MkdirAll(opt.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("sim: creating output directory: %w", err)
	}
	if err := r.writeNetwork(net); err != nil {
		return nil, err
	}
	for _, rn := range recordNames {
		if opt.Record&rn.what == 0 {
			continue
		}
		w, err := r.files().CreateRows(filepath.Join(opt.OutDir, rn.name+".npy"), m)
		if err != nil {
			r.close()
			return nil, err
		}
		r.writers[rn.name] = w
		r.res.Files[rn.name] = w.Path()
	}
	return r, nil
}

// writeNetwork writes W.npy, types.npy and params.npy.
func (r *recorder) writeNetwork(net *Network) error {
	dir := r.opt.OutDir
	path := filepath.Join(dir, "W.npy")
	if err := r.files().WriteFloat32(path, net.W, net.N, net.N); err != nil {
		return err
	}
	r.res.Files["W"] = path
	types := make([]float32, net.N)
	for i := range types {
		if net.Types != nil {
			types[i] = float32(net.Types[i])
		}
	}
	path = filepath.Join(dir, "types.npy")
	if err := r.files().WriteFloat32(path, types, net.N); err != nil {
		return err
	}
	r.res.Files["types"] = path
	names := ParamOrder(net.Params)
	params := make([]float32, 0, net.N*len(names))
	for i := 0; i < net.N; i++ {
		for _, name := range names {
			params = append(params, net.Params[name][i])
		}
	}
	path = filepath.Join(dir, "params.npy")
	if err := r.files().WriteFloat32(path, params, net.N, len(names)); err != nil {
		return err
	}
	r.res.Files["params"] = path
	return nil
}

// add records one frame; e may be nil (no input: e = 1).
func (r *recorder) add(u, du, e []float32) error {
	if e == nil {
		e = r.ones
	}
	r.res.Frames++
	for _, rn := range recordNames {
		if r.opt.Record&rn.what == 0 {
			continue
		}
		var row []float32
		switch rn.what {
		case RecordU:
			row = r.pick(u)
			r.res.U = r.appendRow(r.res.U, row)
		case RecordDU:
			row = r.pick(du)
			r.res.DU = r.appendRow(r.res.DU, row)
		case RecordE:
			row = r.pick(e)
			r.res.E = r.appendRow(r.res.E, row)
		}
		if w := r.writers[rn.name]; w != nil {
			if err := w.WriteRow(row); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *recorder) appendRow(dst, row []float32) []float32 {
	if r.opt.FilesOnly {
		return dst
	}
	return append(dst, row...)
}

// pick returns the recorded neurons' values of a full state vector.
func (r *recorder) pick(src []float32) []float32 {
	if r.all {
		return src
	}
	for k, i := range r.opt.Neurons {
		r.gather[k] = src[i]
	}
	return r.gather
}

// files are the .npy options of the run's files.
func (r *recorder) files() npy.Options { return npy.Options{FS: r.opt.FS} }

// close closes every file, leaving each a valid .npy of the frames written.
func (r *recorder) close() error {
	var errs []error
	for name, w := range r.writers {
		errs = append(errs, w.Close())
		r.res.Written[name] = w.Written()
	}
	r.writers = map[string]*npy.RowWriter{}
	return errors.Join(errs...)
}
