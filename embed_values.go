package ngs

import (
	"fmt"
	"reflect"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/ngs-lab/ngs/runtime"
)

// GoValuer is implemented by script values that have their own Go form,
// such as an experiment's fit (its Ŵ as a *mat.Dense) or a metrics record.
// ToGo prefers it over the generic conversion.
type GoValuer interface {
	GoValue() (any, error)
}

// maxDepth bounds the nesting ToGo and FromGo follow, so that a list that
// contains itself is an error instead of a hang.
const maxDepth = 64

// FromGo converts a Go value to a script value: nil; bool; string; any Go
// integer or float kind (as a number); []float32 and []float64 (as 1-D
// tensors, copied); mat.Matrix such as *mat.Dense (as a rows×cols tensor);
// []string and []any (as lists); map[string]any (as a record, keys
// sorted); *Function (as a builtin); and runtime.Value unchanged.
func FromGo(x any) (runtime.Value, error) { return fromGo(x, 0) }

func fromGo(x any, depth int) (runtime.Value, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("value nested more than %d levels deep", maxDepth)
	}
	switch x := x.(type) {
	case nil:
		return runtime.None, nil
	case runtime.Value:
		return x, nil
	case *Function:
		return x.builtin()
	case bool:
		return runtime.Bool(x), nil
	case string:
		return runtime.String(x), nil
	case []float32:
		t := runtime.NewTensor(len(x))
		copy(t.Data, x)
		return t, nil
	case []float64:
		t := runtime.NewTensor(len(x))
		for i, f := range x {
			t.Data[i] = float32(f)
		}
		return t, nil
	case mat.Matrix:
		return matrixTensor(x), nil
	case []string:
		l := runtime.NewList()
		for _, s := range x {
			l.Elems = append(l.Elems, runtime.String(s))
		}
		return l, nil
	case []any:
		return listFromGo(x, depth)
	case map[string]any:
		return recordFromGo(x, depth)
	}
	if f, ok := numberFromGo(x); ok {
		return runtime.Number(f), nil
	}
	return nil, fmt.Errorf("unsupported Go type %T: use a number, string, bool, []float32, []float64, *mat.Dense, []any, map[string]any, ngs.Func or a runtime.Value", x)
}

// numberFromGo converts any Go integer or float kind.
func numberFromGo(x any) (float64, bool) {
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	}
	return 0, false
}

func matrixTensor(m mat.Matrix) *runtime.Tensor {
	r, c := m.Dims()
	t := runtime.NewTensor(r, c)
	for i := 0; i < r; i++ {
		row := t.Data[i*c : (i+1)*c]
		for j := range row {
			row[j] = float32(m.At(i, j))
		}
	}
	return t
}

func listFromGo(xs []any, depth int) (runtime.Value, error) {
	l := runtime.NewList()
	for i, x := range xs {
		v, err := fromGo(x, depth+1)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		l.Elems = append(l.Elems, v)
	}
	return l, nil
}

func recordFromGo(m map[string]any, depth int) (runtime.Value, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	r := runtime.NewRecord()
	for _, k := range keys {
		v, err := fromGo(m[k], depth+1)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		r.Set(k, v)
	}
	return r, nil
}

// ToGo converts a script value to a Go value: a GoValuer's own form;
// numbers as float64; strings; bools; nil; 1-D tensors as []float32, 2-D
// tensors as *mat.Dense, other tensors as a copied *runtime.Tensor; lists
// as []any; records and other values with fields (runtime.HasAttrs with
// runtime.AttrNames) as map[string]any, leaving out fields that have no Go
// form (a fit's learned functions, say). Functions have no Go form: ToGo
// returns a *NoGoValueError naming the value's type.
func ToGo(v runtime.Value) (any, error) { return toGo(v, 0) }

func toGo(v runtime.Value, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("value nested more than %d levels deep", maxDepth)
	}
	if g, ok := v.(GoValuer); ok {
		return g.GoValue()
	}
	switch x := v.(type) {
	case nil, runtime.Nil:
		return nil, nil
	case runtime.Number:
		return float64(x), nil
	case runtime.String:
		return string(x), nil
	case runtime.Bool:
		return bool(x), nil
	case *runtime.Tensor:
		return tensorToGo(x), nil
	case *runtime.List:
		return listToGo(x, depth)
	}
	if a, ok := v.(runtime.HasAttrs); ok {
		if names, ok := v.(runtime.AttrNames); ok {
			return fieldsToGo(a, names.Names(), depth)
		}
	}
	return nil, &NoGoValueError{Type: v.Type()}
}

// NoGoValueError says that a script value (a function, say) has no Go
// form.
type NoGoValueError struct {
	// Type is the script type of the value.
	Type string
}

func (e *NoGoValueError) Error() string { return fmt.Sprintf("a %s has no Go representation", e.Type) }

func tensorToGo(t *runtime.Tensor) any {
	switch len(t.Shape) {
	case 0, 1:
		return append([]float32(nil), t.Data...)
	case 2:
		r, c := t.Shape[0], t.Shape[1]
		if r == 0 || c == 0 {
			return &mat.Dense{}
		}
		data := make([]float64, len(t.Data))
		for i, f := range t.Data {
			data[i] = float64(f)
		}
		return mat.NewDense(r, c, data)
	}
	return &runtime.Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

func listToGo(l *runtime.List, depth int) (any, error) {
	out := make([]any, len(l.Elems))
	for i, e := range l.Elems {
		x, err := toGo(e, depth+1)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out[i] = x
	}
	return out, nil
}

func fieldsToGo(a runtime.HasAttrs, names []string, depth int) (any, error) {
	out := make(map[string]any, len(names))
	for _, name := range names {
		v, err := a.Attr(name)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", name, err)
		}
		x, err := toGo(v, depth+1)
		if _, noGo := err.(*NoGoValueError); noGo {
			continue // a function-like field: leave it out
		}
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", name, err)
		}
		out[name] = x
	}
	return out, nil
}
