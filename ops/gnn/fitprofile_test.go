package gnn

import (
	"strings"
	"testing"
)

// TestReceiverFitProfileFindsOwnGroup: with data made by a teacher whose
// receivers fall into three embedding groups, every receiver's row fits its
// own group's design exactly (profile 0) and the others' clearly worse.
func TestReceiverFitProfileFindsOwnGroup(t *testing.T) {
	n, frames := 30, 1500
	teacher, d := teacherN5(t, n, frames, 3, 0, 1)
	groups, _ := teacher.n5Groups()
	profile, k, err := ReceiverFitProfile(teacher, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	if k != len(groups) || len(profile) != n*k {
		t.Fatalf("%d groups, %d values; want %d groups, %d values", k, len(profile), len(groups), n*len(groups))
	}
	for g, members := range groups {
		for _, i := range members {
			row := profile[i*k : (i+1)*k]
			for h, v := range row {
				if h == g && v != 0 {
					t.Errorf("receiver %d (group %d): profile %v, want 0 at its own group", i, g, row)
				}
				if h != g && v < 1 {
					t.Errorf("receiver %d (group %d): profile %v, want ≥ 1 (log error ratio) at the other groups", i, g, row)
				}
			}
		}
	}
}

// TestReceiverFitProfileNeedsN5: models whose ψ* does not see the receiver
// get a clear error.
func TestReceiverFitProfileNeedsN5(t *testing.T) {
	m, err := NewModel(ModelSpec{N: 10, Variant: N4, EmbeddingDim: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := Data{U: make([]float32, 100*10), DU: make([]float32, 100*10), T: 100, N: 10}
	if _, _, err := ReceiverFitProfile(m, d, 0); err == nil || !strings.Contains(err.Error(), "N5") {
		t.Errorf("N4 model: error %v, want one naming N5", err)
	}
}
