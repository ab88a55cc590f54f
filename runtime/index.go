package runtime

import (
	"math"

	"github.com/ngs-lab/ngs/lang"
)

func (in *Interp) index(e *lang.Index, env *Env) (Value, error) {
	x, err := in.eval(e.X, env)
	if err != nil {
		return nil, err
	}
	idx, err := in.evalList(e.Indices, env)
	if err != nil {
		return nil, err
	}
	switch c := x.(type) {
	case *List:
		i, err := listIndex(idx, len(c.Elems), e.At)
		if err != nil {
			return nil, err
		}
		return c.Elems[i], nil
	case String:
		runes := []rune(string(c))
		i, err := listIndex(idx, len(runes), e.At)
		if err != nil {
			return nil, err
		}
		return String(runes[i]), nil
	case *Record:
		key, ok := idx[0].(String)
		if len(idx) != 1 || !ok {
			return nil, lang.Errorf(e.At, "a record is indexed by one string key")
		}
		v, found := c.Get(string(key))
		if !found {
			return nil, lang.Errorf(e.At, "record has no key %q%s", key, hint(string(key), c.keys))
		}
		return v, nil
	case *Tensor:
		return tensorIndex(c, idx, e.At)
	case Indexable:
		v, err := c.Index(idx)
		if err != nil {
			return nil, positioned(err, e.At, "")
		}
		return v, nil
	}
	return nil, lang.Errorf(e.At, "cannot index a %s", x.Type())
}

// intIndex converts v to an index into n elements (negative counts from
// the end).
func intIndex(v Value, n int, pos lang.Pos) (int, error) {
	num, ok := v.(Number)
	if !ok || float64(num) != math.Trunc(float64(num)) {
		return 0, lang.Errorf(pos, "index must be an integer, found %s", v)
	}
	i := int(num)
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return 0, lang.Errorf(pos, "index %s out of range: the length is %d", num, n)
	}
	return i, nil
}

func listIndex(idx []Value, n int, pos lang.Pos) (int, error) {
	if len(idx) != 1 {
		return 0, lang.Errorf(pos, "a list takes one index, found %d", len(idx))
	}
	return intIndex(idx[0], n, pos)
}

func tensorOffset(t *Tensor, idx []Value, pos lang.Pos) (int, error) {
	if len(idx) != len(t.Shape) {
		return 0, lang.Errorf(pos, "tensor of shape %s needs %d indices, found %d", shapeString(t.Shape), len(t.Shape), len(idx))
	}
	off := 0
	for k, v := range idx {
		i, err := intIndex(v, t.Shape[k], pos)
		if err != nil {
			return 0, err
		}
		off = off*t.Shape[k] + i
	}
	return off, nil
}

func tensorIndex(t *Tensor, idx []Value, pos lang.Pos) (Value, error) {
	if len(idx) > len(t.Shape) {
		return nil, lang.Errorf(pos, "too many indices: tensor of shape %s takes at most %d, found %d", shapeString(t.Shape), len(t.Shape), len(idx))
	}
	if len(idx) == len(t.Shape) {
		off, err := tensorOffset(t, idx, pos)
		if err != nil {
			return nil, err
		}
		return Number(t.Data[off]), nil
	}
	sub := t
	for _, v := range idx {
		i, err := intIndex(v, sub.Shape[0], pos)
		if err != nil {
			return nil, err
		}
		sub = tensorRow(sub, i).(*Tensor)
	}
	return sub, nil
}

// tensorRow returns element i along the first axis: a number for a 1-D
// tensor, else a sub-tensor sharing t's data.
func tensorRow(t *Tensor, i int) Value {
	if len(t.Shape) == 1 {
		return Number(t.Data[i])
	}
	stride := len(t.Data) / t.Shape[0]
	return &Tensor{Shape: append([]int(nil), t.Shape[1:]...), Data: t.Data[i*stride : (i+1)*stride]}
}

func (in *Interp) slice(e *lang.Slice, env *Env) (Value, error) {
	x, err := in.eval(e.X, env)
	if err != nil {
		return nil, err
	}
	n := 0
	switch c := x.(type) {
	case *List:
		n = len(c.Elems)
	case String:
		n = len([]rune(string(c)))
	case *Tensor:
		if len(c.Shape) == 0 {
			return nil, lang.Errorf(e.At, "cannot slice a scalar tensor")
		}
		n = c.Shape[0]
	default:
		return nil, lang.Errorf(e.At, "cannot slice a %s", x.Type())
	}
	lo, hi, err := in.bounds(e, env, n)
	if err != nil {
		return nil, err
	}
	switch c := x.(type) {
	case *List:
		return &List{Elems: append([]Value(nil), c.Elems[lo:hi]...)}, nil
	case String:
		return String([]rune(string(c))[lo:hi]), nil
	}
	t := x.(*Tensor)
	stride := len(t.Data) / max(t.Shape[0], 1)
	shape := append([]int{hi - lo}, t.Shape[1:]...)
	return &Tensor{Shape: shape, Data: append([]float32(nil), t.Data[lo*stride:hi*stride]...)}, nil
}

// bounds evaluates a slice's lo and hi, clamped to [0, n] like Python.
func (in *Interp) bounds(e *lang.Slice, env *Env, n int) (int, int, error) {
	get := func(x lang.Expr, def int) (int, error) {
		if x == nil {
			return def, nil
		}
		v, err := in.eval(x, env)
		if err != nil {
			return 0, err
		}
		num, ok := v.(Number)
		if !ok || float64(num) != math.Trunc(float64(num)) {
			return 0, lang.Errorf(x.Position(), "slice bound must be an integer, found %s", v)
		}
		i := int(num)
		if i < 0 {
			i += n
		}
		return min(max(i, 0), n), nil
	}
	lo, err := get(e.Lo, 0)
	if err != nil {
		return 0, 0, err
	}
	hi, err := get(e.Hi, n)
	if err != nil {
		return 0, 0, err
	}
	return lo, max(lo, hi), nil
}
