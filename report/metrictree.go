package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// metricTree holds metrics as nested maps keyed by the parts of dotted keys,
// and remembers which keys hold a value that could not be computed.
type metricTree struct {
	root        map[string]any
	notComputed map[string]bool
}

func newMetricTree() *metricTree {
	return &metricTree{root: map[string]any{}, notComputed: map[string]bool{}}
}

// reservedKeys are top-level names that Close writes itself.
var reservedKeys = map[string]bool{"not_computed": true, "skipped": true, "run": true}

// splitKey checks a dotted key and returns its parts.
func splitKey(key string) ([]string, error) {
	if key == "" {
		return nil, fmt.Errorf("metric key: expected a dotted name like \"connectivity.r2\", found an empty string")
	}
	parts := strings.Split(key, ".")
	for _, p := range parts {
		if p == "" {
			return nil, fmt.Errorf("metric key %q: expected non-empty parts between dots", key)
		}
		for _, c := range p {
			if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return nil, fmt.Errorf("metric key %q: expected letters, digits, '_' or '-', found %q", key, c)
			}
		}
	}
	if reservedKeys[parts[0]] {
		return nil, fmt.Errorf("metric key %q: %q is reserved for the report itself", key, parts[0])
	}
	return parts, nil
}

// set stores value under key, converting it to a JSON-ready value.
func (t *metricTree) set(key string, value any) error {
	parts, err := splitKey(key)
	if err != nil {
		return err
	}
	v, ok, err := normalise(value)
	if err != nil {
		return fmt.Errorf("metric %q: %v", key, err)
	}
	node := t.root
	for i, p := range parts[:len(parts)-1] {
		next, exists := node[p]
		if !exists {
			child := map[string]any{}
			node[p] = child
			node = child
			continue
		}
		child, isMap := next.(map[string]any)
		if !isMap {
			return fmt.Errorf("metric %q: %q already holds a value, not a group", key, strings.Join(parts[:i+1], "."))
		}
		node = child
	}
	last := parts[len(parts)-1]
	if _, isMap := node[last].(map[string]any); isMap {
		return fmt.Errorf("metric %q: already a group of metrics, cannot hold a value", key)
	}
	node[last] = v
	if ok {
		delete(t.notComputed, key)
	} else {
		t.notComputed[key] = true
	}
	return nil
}

// normalise converts a metric value to one encoding/json writes as intended:
// non-finite floats become nil (ok = false), integers stay integers.
func normalise(value any) (out any, ok bool, err error) {
	switch v := value.(type) {
	case nil:
		return nil, false, nil
	case float64:
		return floatOrNil(v)
	case float32:
		return floatOrNil(float64(v))
	case int:
		return v, true, nil
	case int64:
		return v, true, nil
	case int32:
		return int64(v), true, nil
	case uint:
		return v, true, nil
	case string, bool:
		return v, true, nil
	case []string:
		return append([]string(nil), v...), true, nil
	case []any:
		// A slice normalise made before (floats with nil for the values
		// that were not finite), as a stored tree holds it.
		out := make([]any, len(v))
		ok := true
		for i, x := range v {
			switch x := x.(type) {
			case nil:
				ok = false
			case float64:
				out[i] = x
			default:
				return nil, false, fmt.Errorf("expected a number or nil in a list, found %T", x)
			}
		}
		return out, ok, nil
	case []int:
		return append([]int(nil), v...), true, nil
	case []float64:
		return floatSlice(v)
	case []float32:
		f := make([]float64, len(v))
		for i, x := range v {
			f[i] = float64(x)
		}
		return floatSlice(f)
	}
	return nil, false, fmt.Errorf("expected a number, string, bool or slice of them, found %T", value)
}

func floatOrNil(x float64) (any, bool, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, false, nil
	}
	return x, true, nil
}

// floatSlice copies a slice, writing non-finite entries as nil.
func floatSlice(v []float64) (any, bool, error) {
	out := make([]any, len(v))
	ok := true
	for i, x := range v {
		out[i], _, _ = floatOrNil(x)
		ok = ok && out[i] != nil
	}
	return out, ok, nil
}

// get returns the value or group under a dotted key.
func (t *metricTree) get(key string) (any, bool) {
	var node any = t.root
	for _, p := range strings.Split(key, ".") {
		m, isMap := node.(map[string]any)
		if !isMap {
			return nil, false
		}
		node, isMap = m[p]
		if !isMap {
			return nil, false
		}
	}
	if m, isMap := node.(map[string]any); isMap {
		return deepCopy(m), true
	}
	return node, true
}

// snapshot returns a deep copy of the whole tree.
func (t *metricTree) snapshot() map[string]any { return deepCopy(t.root) }

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if child, isMap := v.(map[string]any); isMap {
			out[k] = deepCopy(child)
		} else {
			out[k] = v
		}
	}
	return out
}

// missing returns the keys whose values could not be computed, sorted.
func (t *metricTree) missing() []string {
	out := make([]string, 0, len(t.notComputed))
	for k := range t.notComputed {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// flatten lists every leaf as (dotted key, value), sorted by key.
func (t *metricTree) flatten() [][2]any {
	var out [][2]any
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			if child, isMap := v.(map[string]any); isMap {
				walk(key, child)
				continue
			}
			out = append(out, [2]any{key, v})
		}
	}
	walk("", t.root)
	sort.Slice(out, func(i, j int) bool { return out[i][0].(string) < out[j][0].(string) })
	return out
}
