package experiment

import (
	"os"
	"path/filepath"

	"github.com/ngs-lab/ngs/ops/npy"
	"github.com/ngs-lab/ngs/runtime"
)

var saveBuiltin = &runtime.Builtin{
	Name:   "save",
	Doc:    "save(path, x): write a tensor, number list or fit.W as a float32 .npy file under the output directory; returns the path written",
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
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, c.Errorf("%v", err)
		}
		if err := npy.WriteFloat32(path, data, shape...); err != nil {
			return nil, c.Errorf("%v", err)
		}
		return runtime.String(path), nil
	},
}

var loadBuiltin = &runtime.Builtin{
	Name:   "load",
	Doc:    "load(path): read a .npy file (float32, float64 or integers) as a float32 tensor; relative paths are relative to the working directory",
	Params: []runtime.Param{{Name: "path"}},
	Fn: func(c *runtime.Call) (runtime.Value, error) {
		name, ok := c.Arg(0).(runtime.String)
		if !ok {
			return nil, c.ArgError(0, "load needs a file name, found %s", c.Arg(0).Type())
		}
		path, err := c.ResolveInput(string(name))
		if err != nil {
			return nil, err
		}
		data, shape, err := npy.ReadFloat32(path)
		if err != nil {
			return nil, c.ArgError(0, "%v", err)
		}
		return &runtime.Tensor{Shape: shape, Data: data}, nil
	},
}
