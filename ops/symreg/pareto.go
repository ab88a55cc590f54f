package symreg

import "math"

// lossFloor is the normalised loss below which two fits count as equally
// exact: float64 rounding and constant fitting leave residuals of this order
// in formulas that are exactly right.
const lossFloor = 1e-18

// Candidate is one member of a Pareto front.
type Candidate struct {
	Expr       *Expr
	Complexity int     // number of nodes
	Loss       float64 // mean squared error on the samples
	R2         float64 // 1 - Loss/variance of the targets
	// Score is PySR's score: -Δlog(loss)/Δcomplexity against the next simpler
	// member of the front (0 for the simplest).
	Score float64
}

// hallEntry is the best tree found at one complexity.
type hallEntry struct {
	root *Node
	loss float64 // normalised
}

// hallOfFame keeps the best tree per complexity.
type hallOfFame struct {
	best []hallEntry // index = complexity
	// progress counts offers that lowered the best loss of their complexity
	// by more than 1 % (or filled an empty one): the genetic stage stops
	// when it stalls.
	progress int
}

func newHallOfFame(maxSize int) *hallOfFame {
	return &hallOfFame{best: make([]hallEntry, maxSize+1)}
}

// offer records root if it beats the best tree of its complexity; the tree is
// copied, so the caller may keep mutating its own.
func (h *hallOfFame) offer(root *Node, loss float64) bool {
	c := root.size()
	if c >= len(h.best) || !finite(loss) {
		return false
	}
	e := h.best[c]
	if e.root != nil && e.loss <= loss {
		return false
	}
	if e.root == nil || loss < 0.99*e.loss {
		h.progress++
	}
	h.best[c] = hallEntry{root: root.clone(), loss: loss}
	return true
}

// minLoss is the lowest loss recorded at any complexity (+Inf if none).
func (h *hallOfFame) minLoss() float64 {
	m := math.Inf(1)
	for _, e := range h.best {
		if e.root != nil {
			m = math.Min(m, e.loss)
		}
	}
	return m
}

// front returns the entries that no simpler entry matches or beats, in order
// of increasing complexity; losses below lossFloor count as equal.
func (h *hallOfFame) front() []hallEntry {
	var out []hallEntry
	bestSoFar := math.Inf(1)
	for _, e := range h.best {
		if e.root == nil {
			continue
		}
		l := math.Max(e.loss, lossFloor)
		if l < bestSoFar {
			out = append(out, e)
			bestSoFar = l
		}
	}
	return out
}

// scoreFront fills each candidate's Score and returns the index of the one
// PySR's rule selects: the highest score among candidates whose loss is
// within 1.5× of the lowest loss (ties go to the simpler one), or at most
// accept. Losses are floored at floor before logarithms.
func scoreFront(front []Candidate, floor, accept float64) int {
	if len(front) == 0 {
		return -1
	}
	minLoss := math.Inf(1)
	for i := range front {
		l := math.Max(front[i].Loss, floor)
		minLoss = math.Min(minLoss, l)
		if i == 0 {
			front[i].Score = 0
			continue
		}
		prev := math.Max(front[i-1].Loss, floor)
		dc := float64(front[i].Complexity - front[i-1].Complexity)
		front[i].Score = -(math.Log(l) - math.Log(prev)) / dc
	}
	best := -1
	for i := range front {
		if l := math.Max(front[i].Loss, floor); l > 1.5*minLoss && l > accept {
			continue
		}
		if best < 0 || front[i].Score > front[best].Score {
			best = i
		}
	}
	return best
}
