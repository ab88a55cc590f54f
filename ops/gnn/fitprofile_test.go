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

// TestReassignReceiversUndoesAWrongCluster: two receivers given another
// group's embedding (as a wrong clustering step would) fit their true
// group's design far better, and ReassignReceivers moves them back; no
// other receiver moves. φ* is 0 for every group here, so only ψ*'s
// receiver input tells the groups apart.
func TestReassignReceiversUndoesAWrongCluster(t *testing.T) {
	n, frames := 30, 1500
	teacher, d := teacherN5(t, n, frames, 3, 0, 1)
	zeroPhi(teacher)
	teacherN5DU(t, teacher, d)
	student := teacher.Clone()
	wrong := map[int]int{4: 5, 7: 6} // receiver → a neuron of another group
	for i, j := range wrong {
		copy(student.a[2*i:2*i+2], teacher.a[2*j:2*j+2])
	}
	moved, err := ReassignReceivers(student, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(moved) != len(wrong) {
		t.Errorf("moved %v, want exactly receivers 4 and 7", moved)
	}
	for i := range wrong {
		if got, want := student.a[2*i:2*i+2], teacher.a[2*i:2*i+2]; got[0] != want[0] || got[1] != want[1] {
			t.Errorf("receiver %d: embedding %v after the reassignment, want its group's %v", i, got, want)
		}
	}
	// Before a clustering step (embeddings all distinct) it declines.
	spread, d2 := teacherN5(t, 40, 600, 4, 0.02, 2)
	if _, err := ReassignReceivers(spread, d2, 0); err == nil || !strings.Contains(err.Error(), "clustering") {
		t.Errorf("distinct embeddings: error %v, want one saying it needs a clustering step", err)
	}
}
