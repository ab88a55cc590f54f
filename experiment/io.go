package experiment

import (
	"path/filepath"

	"github.com/ngs-lab/ngs/runtime"
)

var saveBuiltin = &runtime.Builtin{
	Name:   "save",
	Doc:    "save(path, x): write a tensor, number list or fit.W as a float32 .npy file under the output directory (written to a temporary file and renamed, so the file is never left half written); returns the path written",
	Params: []runtime.Param{{Name: "path"}, {Name: "x"}},
	Fn: func(c *runtime.Call) (runtime.Value, error) {
		name, ok := c.Arg(0).(runtime.String)
		if !ok {
			return nil, c.ArgError(0, "save needs a file name, found %s", c.Arg(0).Type())
		}
		data, shape, err := floats(c.Arg(1))
		if err != nil {
			return nil, c.ArgError(1, "%v", err)
		}
		if shape == nil {
			shape = []int{len(data)}
		}
		path, err := c.ResolvePath(string(name))
		if err != nil {
			return nil, err
		}
		if err := c.FS().MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, c.Errorf("%v", err)
		}
		if err := npyOptions(c.Interp, false).WriteFloat32(path, data, shape...); err != nil {
			return nil, c.Errorf("%v", err)
		}
		return runtime.String(path), nil
	},
}

var loadBuiltin = &runtime.Builtin{
	Name: "load",
	Doc: "load(path, finite = true): read a .npy file (float32, float64 or integers) as a float32 tensor; relative paths are relative to the working directory. " +
		"A NaN or infinite value is an error naming its index unless finite = false; a recording cut short is read up to its last whole row, with a warning",
	Params: []runtime.Param{{Name: "path"}, {Name: "finite", Default: runtime.Bool(true)}},
	Fn: func(c *runtime.Call) (runtime.Value, error) {
		name, ok := c.Arg(0).(runtime.String)
		if !ok {
			return nil, c.ArgError(0, "load needs a file name, found %s", c.Arg(0).Type())
		}
		finite, err := c.NamedBool("finite", true)
		if err != nil {
			return nil, err
		}
		path, err := c.ResolveInput(string(name))
		if err != nil {
			return nil, err
		}
		a, err := npyOptions(c.Interp, true).Read(path)
		if err != nil {
			return nil, c.ArgError(0, "%v", err)
		}
		warnNote(c.Interp, a.Note)
		if finite {
			if err := nonFiniteError(path, a.Data, a.Shape); err != nil {
				return nil, c.ArgError(0, "%v (load(..., finite = false) accepts it)", err)
			}
		}
		return &runtime.Tensor{Shape: a.Shape, Data: a.Data}, nil
	},
}
