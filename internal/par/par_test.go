package par

import (
	"sync/atomic"
	"testing"
)

func TestForCoversEveryItemOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 256, 1000, 4097} {
		hits := make([]int32, n)
		var calls atomic.Int32
		For(n, 100, func(lo, hi int) {
			calls.Add(1)
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&hits[i], 1)
			}
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("n = %d: item %d visited %d times", n, i, h)
			}
		}
		if want := int32(Workers(n, 100)); n > 0 && calls.Load() != want {
			t.Errorf("n = %d: %d blocks, Workers says %d", n, calls.Load(), want)
		}
	}
}

func TestSplitBlocksAreFixed(t *testing.T) {
	var got [3][2]int
	Split(10, 3, func(w, lo, hi int) { got[w] = [2]int{lo, hi} })
	if got != [3][2]int{{0, 3}, {3, 6}, {6, 10}} {
		t.Errorf("blocks %v", got)
	}
}
