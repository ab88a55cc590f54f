package metrics

import "math"

// Median returns the median of x, the mean of the two middle values when
// len(x) is even, or NaN for an empty x. x is not modified. This is the one
// median of ngs: clustering, derivative noise estimates, ψ*'s plateau, the
// transfer experiments and the report all use it.
func Median[F ~float32 | ~float64](x []F) F {
	return MedianInPlace(append([]F(nil), x...))
}

// MedianInPlace is Median reordering x instead of copying it. It selects
// rather than sorts: O(len(x)) expected time.
func MedianInPlace[F ~float32 | ~float64](x []F) F {
	if len(x) == 0 {
		return F(math.NaN())
	}
	m := len(x) / 2
	upper := selectKth(x, m)
	if len(x)%2 == 1 {
		return upper
	}
	// After selection every value left of m is ≤ x[m]: take their maximum.
	lower := x[0]
	for _, v := range x[1:m] {
		lower = max(lower, v)
	}
	return (lower + upper) / 2
}

// ColumnMedians returns the median of each column of a row-major matrix
// with cols columns (len(x)/cols rows): the pointwise median of curves
// stored one after another.
func ColumnMedians(x []float32, cols int) []float32 {
	if cols <= 0 {
		return nil
	}
	rows := len(x) / cols
	out := make([]float32, cols)
	col := make([]float32, rows)
	for c := range out {
		for r := range col {
			col[r] = x[r*cols+c]
		}
		out[c] = MedianInPlace(col)
	}
	return out
}

// selectKth reorders x so that x[k] is the k-th smallest, with
// smaller-or-equal values before it and larger-or-equal after, and returns
// it (Hoare's quickselect with a median-of-three pivot).
func selectKth[F ~float32 | ~float64](x []F, k int) F {
	lo, hi := 0, len(x)-1
	for lo < hi {
		pivot := medianOfThree(x[lo], x[(lo+hi)/2], x[hi])
		i, j := lo, hi
		for i <= j {
			for x[i] < pivot {
				i++
			}
			for x[j] > pivot {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return x[k]
		}
	}
	return x[k]
}

// medianOfThree returns the middle one of three values.
func medianOfThree[F ~float32 | ~float64](a, b, c F) F {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}
