package par

import (
	"runtime"
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

func TestChunksAreFixedSize(t *testing.T) {
	var got [4][2]int
	Chunks(10, 3, func(c, lo, hi int) { got[c] = [2]int{lo, hi} })
	if got != [4][2]int{{0, 3}, {3, 6}, {6, 9}, {9, 10}} || NumChunks(10, 3) != 4 {
		t.Errorf("blocks %v, NumChunks %d", got, NumChunks(10, 3))
	}
	Chunks(5, 8, func(c, lo, hi int) {
		if c != 0 || lo != 0 || hi != 5 {
			t.Errorf("one chunk: got %d [%d, %d)", c, lo, hi)
		}
	})
	Chunks(0, 8, func(c, lo, hi int) { t.Errorf("no items: called with %d [%d, %d)", c, lo, hi) })
	if s := ChunkSize(1000, 256); s < 256 || NumChunks(1000, s) > max(1, runtime.GOMAXPROCS(0)) {
		t.Errorf("ChunkSize(1000, 256) = %d: %d chunks", s, NumChunks(1000, s))
	}
}
