package repl

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ngs-lab/ngs/runtime"
)

// shownEntries is how many leading entries of a tensor Format shows.
const shownEntries = 6

// Format shows a value the way the REPL prints a result: strings quoted,
// tensors as shape, dtype, the first entries and a summary, other values
// through their String method.
func Format(v runtime.Value) string {
	switch x := v.(type) {
	case runtime.String:
		return strconv.Quote(string(x))
	case *runtime.Tensor:
		return formatTensor(x)
	}
	return v.String()
}

func formatTensor(t *runtime.Tensor) string {
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = strconv.Itoa(d)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "tensor %s float32 [", strings.Join(dims, "x"))
	for i, f := range t.Data {
		if i == shownEntries {
			b.WriteString(" ...")
			break
		}
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(strconv.FormatFloat(float64(f), 'g', 5, 32))
	}
	b.WriteString("]")
	if len(t.Data) > shownEntries {
		lo, hi, mean := summary(t.Data)
		fmt.Fprintf(&b, " min %.4g max %.4g mean %.4g", lo, hi, mean)
	}
	return b.String()
}

// summary returns the minimum, maximum and mean of data, ignoring NaNs.
func summary(data []float32) (lo, hi, mean float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	var sum float64
	n := 0
	for _, f := range data {
		x := float64(f)
		if math.IsNaN(x) {
			continue
		}
		lo, hi = math.Min(lo, x), math.Max(hi, x)
		sum += x
		n++
	}
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	return lo, hi, sum / float64(n)
}
